"""Risk vocabularies and their colours: the one source for schemas, reports (HTML/PDF) and the map (via /meta)."""

from __future__ import annotations

from enum import StrEnum

from bastion.algorithms.risk.scoring import LEVEL_NAMES

# the 4x4 matrix ratings, lowest first (bastion.algorithms.risk.scoring.LEVEL_NAMES: low .. very high)
Rating = StrEnum("Rating", {n.upper().replace(" ", "_"): n for n in LEVEL_NAMES})  # type: ignore[misc]
Rating.__doc__ = "A 4x4 likelihood x impact rating (bastion.algorithms.risk.scoring)."
Rating.__module__ = __name__

# one colour per rating: the report's matrix and pills (HTML and PDF) and the map's markers, legend and pills
RATING_COLOURS: dict[str, str] = {
    Rating("low"): "#43a047",
    Rating("medium"): "#f9a825",
    Rating("high"): "#f4511e",
    Rating("very high"): "#b71c1c",
}
UNSCORED_COLOUR = "#9ca3af"  # a site without a score yet
