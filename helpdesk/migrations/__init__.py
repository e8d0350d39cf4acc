"""Alembic migrations of the helpdesk tables (version table alembic_version_helpdesk)."""
