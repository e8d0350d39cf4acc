"""The dialogue: domain, endpoints, credentials and custom NLU components for Rasa."""
