"""Hostile-vehicle assessment: approach speeds, impact energy, required barrier ratings."""
