"""OpenStreetMap extracts and an office's own lists into the registry (one transaction, idempotent)."""
