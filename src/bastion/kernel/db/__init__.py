"""Declarative base, engine and unit of work."""
