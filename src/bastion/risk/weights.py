"""Stored risk as a planning weight: each site's total risk (sum over threat types of T x V x C) from the
latest stored assessment (`bastion risk assess --region R`, table risk_assessments).

Used by coverage/placement (``weight_basis="risk"``) and patrol payoffs (``payoff="risk"``). Nothing is
computed here: a region without stored assessments is refused with the command that stores them, so a plan
never silently mixes fresh and stale scores.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.kernel.errors import InvalidInput
from bastion.regions.models import Region
from bastion.risk.models import RiskAssessment
from bastion.sites.models import Site


def stored_site_risk(s: Session, region: Region) -> dict[int, float]:
    """site id -> total stored risk (sum over threats) for the region's sites that have an assessment."""
    rows = s.execute(
        select(RiskAssessment.site_id, func.sum(RiskAssessment.risk))
        .join(Site, Site.id == RiskAssessment.site_id)
        .where(Site.region_id == region.id)
        .group_by(RiskAssessment.site_id)
    ).all()
    return {int(sid): float(r) for sid, r in rows}


def require_site_risk(s: Session, region: Region, site_ids: Iterable[int], *, field: str,
                      alternative: str) -> dict[int, float]:
    """Stored total risk of every site in ``site_ids``; InvalidInput (naming ``field``) when the region has no
    stored assessment or one of the sites is missing from it (sites imported after the last assessment).
    ``alternative`` is neutral wording (e.g. "use weight capacity or sites"); the CLI command goes in the hint."""
    risk = stored_site_risk(s, region)
    fix = f"store a risk assessment of the region first, or {alternative}"
    hint = f"run `bastion risk assess --region {region.name}` first"
    if not risk:
        raise InvalidInput(f"region {region.name!r} has no stored risk assessments: {fix}", field=field, hint=hint)
    missing = [i for i in site_ids if i not in risk]
    if missing:
        raise InvalidInput(f"{len(missing)} sites of region {region.name!r} have no stored risk assessment "
                           f"(e.g. site {missing[0]}, imported after the last assessment): {fix}", field=field,
                           hint=hint)
    return risk
