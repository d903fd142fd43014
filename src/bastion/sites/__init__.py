"""The registry of key targets and crowded places; an office's own lists; exports."""
