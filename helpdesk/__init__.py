"""Helpdesk: conversation ownership, message log, advisor console, call-backs and appointments."""
