"""Async SQLAlchemy 2: declarative base, column types, engine and the request session."""
