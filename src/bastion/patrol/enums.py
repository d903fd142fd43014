"""Patrol vocabularies: the team colours shared by the printable plan (HTML) and the map (via /meta)."""

from __future__ import annotations

# team n is drawn in TEAM_COLOURS[(n - 1) % len(TEAM_COLOURS)]
TEAM_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2", "#8c564b", "#bcbd22",
                "#7f7f7f")
