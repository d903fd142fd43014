"""Protected spaces (invacuation) and lockable zones of a site: entered by users with area and/or capacity, or
taken from the site's own building (OSM footprint x ``building:levels``, through the capacity model) when nobody
entered one. The draft lists them in the plan; where no data exists it leaves a marked placeholder the user must
fill (the completeness check keeps flagging the field until then). The capacity assessment (algorithms/
preparedness/invacuation.py, ICC 500 / FEMA P-361 density) compares the spaces with the peak-hour people."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness.invacuation import DENSITY_SOURCE
from bastion.algorithms.preparedness.invacuation import M2_PER_PERSON
from bastion.algorithms.preparedness.invacuation import PROTECTED_SHARE
from bastion.algorithms.preparedness.invacuation import SPACE_KINDS
from bastion.algorithms.preparedness.invacuation import Space
from bastion.algorithms.preparedness.invacuation import assess
from bastion.algorithms.preparedness.invacuation import footprint_space
from bastion.algorithms.preparedness.invacuation import space_capacity
from bastion.algorithms.preparedness.plans import check_free_text
from bastion.algorithms.preparedness.plans import placeholder
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.preparedness.models import SiteSpace
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo

log = logging.getLogger(__name__)

MAX_SPACES = 100
FLOOR_AREA_METHODS = ("floor_area", "buildings_floor_area")


def site_spaces(s: Session, site_id: int) -> list[SiteSpace]:
    return list(s.scalars(select(SiteSpace).where(SiteSpace.site_id == site_id).order_by(SiteSpace.id)))


def spaces_by_site(s: Session, site_ids: Sequence[int]) -> dict[int, list[SiteSpace]]:
    out: dict[int, list[SiteSpace]] = {sid: [] for sid in site_ids}
    if site_ids:
        for r in s.scalars(select(SiteSpace).where(SiteSpace.site_id.in_(site_ids)).order_by(SiteSpace.id)):
            out[r.site_id].append(r)
    return out


def _number(v: object, where: str, *, whole: bool) -> float | int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or (whole and not float(v).is_integer()):
        kind = "a whole number of people" if whole else "square metres"
        raise InvalidInput(f"{where} must be {kind}, got {v!r}", field=where)
    return int(v) if whole else float(v)


def check_spaces(spaces: Sequence[Mapping[str, Any]]) -> list[Space]:
    """[{kind, label, area_m2?, capacity?}]: a protected space needs its usable area or its capacity."""
    if len(spaces) > MAX_SPACES:
        raise InvalidInput(f"spaces must list at most {MAX_SPACES} spaces, got {len(spaces)}", field="spaces")
    out = []
    for i, sp in enumerate(spaces):
        w = f"spaces[{i}]"
        kind = sp.get("kind")
        if kind not in SPACE_KINDS:
            raise InvalidInput(f"{w}.kind must be one of {list(SPACE_KINDS)}, got {kind!r}", field=f"{w}.kind")
        label = check_free_text(sp.get("label"), f"{w}.label", max_len=100)
        area = _number(sp.get("area_m2"), f"{w}.area_m2", whole=False)
        cap = _number(sp.get("capacity"), f"{w}.capacity", whole=True)
        if kind == "protected_space" and area is None and cap is None:
            raise InvalidInput(f"{w}: a protected space needs its usable area_m2 or its capacity (people)",
                               field=f"{w}.area_m2")
        try:
            out.append(Space(label, str(kind), None if area is None else float(area),
                             None if cap is None else int(cap), "user"))
        except InvalidInput as e:
            raise InvalidInput(f"{w}.{e.field}: {e}", field=f"{w}.{e.field}") from None
    return out


def set_spaces(sf: sessionmaker[Session], site_id: int, spaces: Sequence[Mapping[str, Any]]) -> list[SiteSpace]:
    """Replace the site's user-entered spaces (one transaction)."""
    checked = check_spaces(spaces)
    with unit_of_work(sf) as s:
        SiteRepo(s).get(site_id)
        s.execute(delete(SiteSpace).where(SiteSpace.site_id == site_id, SiteSpace.source == "user"))
        s.add_all([SiteSpace(site_id=site_id, kind=sp.kind, label=sp.label, area_m2=sp.area_m2,
                             capacity=sp.capacity, source="user") for sp in checked])
        s.flush()
        return site_spaces(s, site_id)


def building_floor_area_m2(site: Site) -> float | None:
    """The gross floor area the capacity model took from the site's OSM building(s), if it used one."""
    if site.capacity_method not in FLOOR_AREA_METHODS:
        return None
    v = (site.capacity_inputs or {}).get("floor_area_m2")
    return float(v) if isinstance(v, int | float) and v > 0 else None


def effective_spaces(rows: Sequence[SiteSpace], site: Site) -> list[Space]:
    """The spaces a plan uses: the user's when any are entered, else OSM's; a protected space from the site's
    own building when none is on record."""
    user = [r for r in rows if r.source == "user"]
    chosen = user or list(rows)
    out = [Space(r.label, r.kind, r.area_m2, r.capacity, r.source) for r in chosen]
    if not any(sp.kind == "protected_space" for sp in out):
        fp = footprint_space(building_floor_area_m2(site))
        if fp is not None:
            out.append(fp)
    return out


def _line(sp: Space) -> str:
    cap = space_capacity(sp.area_m2, sp.capacity)
    parts = [f"{sp.area_m2:,.0f} m²"] if sp.area_m2 is not None else []
    if cap is not None:
        parts.append(f"{cap:,} people")
    return f"{sp.label} ({', '.join(parts)})" if parts else sp.label


def section_lines(spaces: Sequence[Space], *, lockable_doors: bool = False) -> tuple[list[str], list[str]]:
    """(protected_spaces, lockable_zones) texts for the plan; a marked placeholder where there is nothing."""
    prot = [_line(sp) for sp in spaces if sp.kind == "protected_space"]
    lock = [_line(sp) for sp in spaces if sp.kind == "lockable_zone"]
    if not lock and lockable_doors:
        lock = ["@eplan.zone.lockable_doors"]
    return (prot or [placeholder("protected_spaces")]), (lock or [placeholder("lockable_zones")])


def invacuation_summary(people: int, spaces: Sequence[Space]) -> dict[str, Any]:
    """Protected-space capacity vs the peak-hour people, as stored on a plan and shown by readiness."""
    a = assess(people, spaces)
    return {"people": a.people, "capacity": a.capacity, "enough": a.enough, "shortfall": a.shortfall,
            "area_needed_m2": a.area_needed_m2, "m2_per_person": M2_PER_PERSON, "density_source": DENSITY_SOURCE,
            "protected_share_assumed": PROTECTED_SHARE,
            "spaces": [{"label": sp.label, "kind": sp.kind, "area_m2": sp.area_m2,
                        "capacity": space_capacity(sp.area_m2, sp.capacity), "source": sp.source}
                       for sp in spaces]}
