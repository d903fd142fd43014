"""Incidents and dispatch: M/ETHANE intake (counts, never persons), timeline in the audit chain, unit status,
travel-time dispatch recommendation, cordons, move-ups, board, situation reports, CAP public warnings."""
