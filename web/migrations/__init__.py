"""Alembic migrations of the web app's tables (web/schema.py); run by web/migrate.py."""
