"""Domain-free building blocks: errors, settings, units, geo, time, database base and unit of work."""
