"""Alembic migrations of the catalogue tables (version table alembic_version_catalogue)."""
