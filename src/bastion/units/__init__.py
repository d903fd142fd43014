"""Response units: teams (never named people), their bases, availability and standards."""
