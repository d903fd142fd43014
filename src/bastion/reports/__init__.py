"""HTML/PDF site and region reports."""
