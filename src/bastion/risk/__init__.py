"""Tiers under three regimes, threat × vulnerability × consequence, measures, threat level, portfolio."""
