"""Randomized patrol plans from Stackelberg security games."""
