"""Custom actions for Leerwijzer, served by `rasa run actions`."""
