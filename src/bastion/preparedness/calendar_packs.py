"""The exercise calendar's rule pack: a region's own (validated YAML, stored as JSON) or the bundled default
(packs/calendar-default.yaml). Parsing and validation are pure (algorithms/preparedness/calendar_pack.py)."""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness.calendar_pack import CalendarPack
from bastion.algorithms.preparedness.calendar_pack import pack_document
from bastion.algorithms.preparedness.calendar_pack import parse_pack
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.preparedness.models import CalendarPack as CalendarPackRow
from bastion.regions.repository import RegionRepo

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).resolve().parent / "packs" / "calendar-default.yaml"
MAX_BYTES = 200_000


def load_yaml(text: str) -> CalendarPack:
    """A pack from YAML text: YAML errors and rule errors name the field."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InvalidInput(f"a rule pack is at most {MAX_BYTES} bytes", field="pack")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise InvalidInput(f"the rule pack is not valid YAML{at}: {getattr(e, 'problem', None) or e}",
                           field="pack") from None
    return parse_pack(doc)


@cache
def bundled_pack() -> CalendarPack:
    return load_yaml(BUNDLED.read_text(encoding="utf-8"))


def region_pack(s: Session, region_id: int) -> tuple[CalendarPack, str]:
    """(the pack in force, "region" | "bundled")."""
    row = s.scalar(select(CalendarPackRow).where(CalendarPackRow.region_id == region_id))
    if row is None:
        return bundled_pack(), "bundled"
    return parse_pack(row.pack), "region"


def set_region_pack(sf: sessionmaker[Session], region_id: int, text: str, *, now: dt.datetime,
                    account_id: int | None = None) -> CalendarPack:
    """Validate and store the region's own pack (replacing any earlier one)."""
    pack = load_yaml(text)
    with unit_of_work(sf) as s:
        RegionRepo(s).get(region_id)
        row = s.scalar(select(CalendarPackRow).where(CalendarPackRow.region_id == region_id))
        if row is None:
            row = CalendarPackRow(region_id=region_id)
            s.add(row)
        row.pack, row.updated_by_account_id, row.updated_at = pack_document(pack), account_id, now
        s.flush()
    log.info("region %d: calendar rule pack %s (%d rules) stored", region_id, pack.id, len(pack.rules))
    return pack


def clear_region_pack(sf: sessionmaker[Session], region_id: int) -> bool:
    """Back to the bundled pack; True when the region had its own."""
    with unit_of_work(sf) as s:
        RegionRepo(s).get(region_id)
        row = s.scalar(select(CalendarPackRow).where(CalendarPackRow.region_id == region_id))
        if row is None:
            return False
        s.delete(row)
        return True


__all__ = ["BUNDLED", "bundled_pack", "clear_region_pack", "load_yaml", "pack_document", "region_pack",
           "set_region_pack"]
