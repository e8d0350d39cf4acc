"""Custom Rasa connectors: one module per channel, each with an Input and an Output class."""
