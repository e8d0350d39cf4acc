"""Shared infrastructure for Leerwijzer's runtime parts: settings and the launcher."""
