"""Inspections and rectification tasks to closure."""
