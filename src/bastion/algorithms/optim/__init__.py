"""Solver adapters shared by the algorithms."""
