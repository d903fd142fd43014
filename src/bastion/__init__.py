"""Bastion: protective-security planning for key targets and crowded places."""

__version__ = "0.1.0"
