"""Responsibility system use cases: rules (operator / supervising / lead) over category, tier and jurisdiction,
per-site exceptions, CSV bulk import (validated, one transaction, idempotent) and the resolved matrix."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.algorithms.office import responsibility as algo
from bastion.algorithms.office.responsibility import Resolution
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.office.models import ResponsibilityRule
from bastion.office.models import SiteResponsibility
from bastion.office.sites_index import SiteRow
from bastion.office.sites_index import load_sites
from bastion.office.sites_index import site_keys
from bastion.regions.models import Region
from bastion.sites.models import Site

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None] | None

CSV_COLUMNS = ("role", "agency", "region", "category", "tier", "site_id", "reason")
MAX_CSV_ROWS = 50_000


def natural_key(role: str, region_id: int | None, category: str | None, tier: str | None) -> str:
    return f"{role}|{region_id or '*'}|{category or '*'}|{tier or '*'}"


def _check_role(role: str, field: str = "role") -> str:
    if role not in algo.ROLES:
        raise InvalidInput(f"{field} must be one of {list(algo.ROLES)}, got {role!r}", field=field)
    return role


def _agency(s: Session, agency_id: int, field: str = "agency_id") -> Agency:
    a = s.get(Agency, agency_id)
    if a is None:
        raise InvalidInput(f"{field}: agency {agency_id} does not exist; list agencies with `bastion users agencies`",
                           field=field)
    return a


def add_rule(sf: sessionmaker[Session], *, role: str, agency_id: int, region_id: int | None = None,
             category: str | None = None, tier: str | None = None) -> ResponsibilityRule:
    """Create or re-point the rule for (role, region, category, tier): idempotent by that natural key."""
    _check_role(role)
    with unit_of_work(sf) as s:
        _agency(s, agency_id)
        if region_id is not None and s.get(Region, region_id) is None:
            raise InvalidInput(f"region_id: region {region_id} does not exist", field="region_id")
        return _upsert_rule(s, role, agency_id, region_id, category or None, tier or None)


def _upsert_rule(s: Session, role: str, agency_id: int, region_id: int | None, category: str | None,
                 tier: str | None) -> ResponsibilityRule:
    key = natural_key(role, region_id, category, tier)
    row = s.scalar(select(ResponsibilityRule).where(ResponsibilityRule.natural_key == key))
    if row is None:
        row = ResponsibilityRule(natural_key=key, role=role, agency_id=agency_id, region_id=region_id,
                                 category=category, tier=tier)
        s.add(row)
    else:
        row.agency_id = agency_id
    s.flush()
    return row


def delete_rule(sf: sessionmaker[Session], rule_id: int) -> None:
    with unit_of_work(sf) as s:
        if s.get(ResponsibilityRule, rule_id) is None:
            raise NotFound(f"responsibility rule {rule_id} does not exist")
        s.execute(delete(ResponsibilityRule).where(ResponsibilityRule.id == rule_id))


def set_exception(sf: sessionmaker[Session], site_id: int, *, role: str, agency_id: int,
                  reason: str | None = None) -> SiteResponsibility:
    _check_role(role)
    with unit_of_work(sf) as s:
        if s.get(Site, site_id) is None:
            raise NotFound(f"site {site_id} does not exist")
        _agency(s, agency_id)
        return _upsert_exception(s, site_id, role, agency_id, reason)


def _upsert_exception(s: Session, site_id: int, role: str, agency_id: int, reason: str | None) -> SiteResponsibility:
    row = s.scalar(select(SiteResponsibility).where(SiteResponsibility.site_id == site_id,
                                                    SiteResponsibility.role == role))
    if row is None:
        row = SiteResponsibility(site_id=site_id, role=role, agency_id=agency_id, reason=reason)
        s.add(row)
    else:
        row.agency_id, row.reason = agency_id, reason
    s.flush()
    return row


def list_rules(s: Session, *, region_id: int | None = None) -> list[ResponsibilityRule]:
    q = select(ResponsibilityRule).order_by(ResponsibilityRule.role, ResponsibilityRule.id)
    if region_id is not None:
        q = q.where((ResponsibilityRule.region_id == region_id) | ResponsibilityRule.region_id.is_(None))
    return list(s.scalars(q))


def list_exceptions(s: Session, site_ids: list[int] | None = None) -> list[SiteResponsibility]:
    q = select(SiteResponsibility).order_by(SiteResponsibility.site_id, SiteResponsibility.role)
    if site_ids is not None:
        q = q.where(SiteResponsibility.site_id.in_(site_ids))
    return list(s.scalars(q))


@dataclass(frozen=True)
class ImportReport:
    rows: int
    rules_created: int
    rules_changed: int
    exceptions_created: int
    exceptions_changed: int
    unchanged: int


@dataclass(frozen=True)
class _Refs:
    agencies: dict[str, int]
    agency_ids: set[int]
    regions: dict[str, int]
    region_ids: set[int]
    sites: set[int]


_Row = tuple[str, int, int | None, str | None, str | None, int | None, str | None]


def _ref(value: str, names: dict[str, int], ids: set[int]) -> int | None:
    v = value.strip()
    if v.isdigit() and int(v) in ids:
        return int(v)
    return names.get(v)


def _parse_row(n: int, r: dict[str, str], refs: _Refs, errors: list[str]) -> _Row | None:
    """One CSV row, or None with the problem (row number and field) appended to ``errors``."""
    role = (r.get("role") or "").strip()
    if role not in algo.ROLES:
        errors.append(f"row {n}, role: must be one of {list(algo.ROLES)}, got {role!r}")
        return None
    agency = _ref(r.get("agency") or "", refs.agencies, refs.agency_ids)
    if agency is None:
        errors.append(f"row {n}, agency: no agency named or numbered {(r.get('agency') or '').strip()!r}")
        return None
    region_txt = (r.get("region") or "").strip()
    region = _ref(region_txt, refs.regions, refs.region_ids) if region_txt else None
    if region_txt and region is None:
        errors.append(f"row {n}, region: no region named or numbered {region_txt!r}")
        return None
    sid_txt = (r.get("site_id") or "").strip()
    sid = None
    if sid_txt:
        if not sid_txt.isdigit() or int(sid_txt) not in refs.sites:
            errors.append(f"row {n}, site_id: no site {sid_txt!r}")
            return None
        sid = int(sid_txt)
    cat = (r.get("category") or "").strip() or None
    tier = (r.get("tier") or "").strip() or None
    if tier is not None and ":" not in tier:
        errors.append(f"row {n}, tier: write '<standard>:<tier>' (e.g. uk_ppa_2025:enhanced), got {tier!r}")
        return None
    if cat is not None and len(cat) > 40:
        errors.append(f"row {n}, category: at most 40 characters")
        return None
    return role, agency, region, cat, tier, sid, (r.get("reason") or "").strip()[:300] or None


def csv_regions(s: Session, text: str) -> set[int | None]:
    """The regions the rows of a rules CSV name (None: a row for every region or a per-site exception); unknown
    names are left to import_csv's validation."""
    names = {r.name: r.id for r in s.scalars(select(Region))}
    out: set[int | None] = set()
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        v = (row.get("region") or "").strip()
        if not v or (row.get("site_id") or "").strip():
            out.add(None)
        elif v.isdigit():
            out.add(int(v))
        elif v in names:
            out.add(names[v])
    return out


def import_csv(sf: sessionmaker[Session], text: str, *, progress: Progress = None) -> ImportReport:
    """Rules (no site_id) and per-site exceptions (site_id) from CSV with columns
    role, agency (name or id), region (name or id, blank = every region), category, tier, site_id, reason.
    Every row is checked before anything is written; any error rejects the whole file (nothing written) with the
    row number and field of each problem (up to 20). Re-importing the same file changes nothing."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("role", "agency") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"CSV header must include {missing}; columns are {list(CSV_COLUMNS)}", field="csv")
    unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(f"CSV has unknown columns {unknown}; allowed {list(CSV_COLUMNS)}", field="csv")
    rows = list(reader)
    if len(rows) > MAX_CSV_ROWS:
        raise InvalidInput(f"CSV has {len(rows)} rows; at most {MAX_CSV_ROWS} per file", field="csv")
    with unit_of_work(sf) as s:
        agencies = {a.name: a.id for a in s.scalars(select(Agency))}
        agency_ids = set(agencies.values())
        regions = {r.name: r.id for r in s.scalars(select(Region))}
        region_ids = set(regions.values())
        errors: list[str] = []
        parsed: list[_Row] = []
        site_rows = [int(r["site_id"]) for r in rows if (r.get("site_id") or "").strip().isdigit()]
        known_sites = set(s.scalars(select(Site.id).where(Site.id.in_(site_rows)))) if site_rows else set()

        refs = _Refs(agencies, agency_ids, regions, region_ids, known_sites)
        for n, r in enumerate(rows, start=2):  # row 1 is the header
            row = _parse_row(n, r, refs, errors)
            if row is not None:
                parsed.append(row)
        if errors:
            more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
            raise InvalidInput(f"CSV rejected, nothing imported: {'; '.join(errors[:20])}{more}", field="csv")
        rules = {r.natural_key: r for r in s.scalars(select(ResponsibilityRule))}
        excs = {(e.site_id, e.role): e for e in s.scalars(select(SiteResponsibility))}
        rc = rch = ec = ech = same = 0
        for i, (role, agency, region, cat, tier, sid, reason) in enumerate(parsed):
            if sid is not None:
                old = excs.get((sid, role))
                if old is not None and old.agency_id == agency and old.reason == reason:
                    same += 1
                    continue
                ec, ech = (ec + 1, ech) if old is None else (ec, ech + 1)
                excs[(sid, role)] = _upsert_exception(s, sid, role, agency, reason)
            else:
                key = natural_key(role, region, cat, tier)
                old_rule = rules.get(key)
                if old_rule is not None and old_rule.agency_id == agency:
                    same += 1
                    continue
                rc, rch = (rc + 1, rch) if old_rule is None else (rc, rch + 1)
                rules[key] = _upsert_rule(s, role, agency, region, cat, tier)
            if progress and i % 500 == 0:
                progress(i / max(1, len(parsed)), f"{i} of {len(parsed)} rows")
        if progress:
            progress(1.0, f"{len(parsed)} rows")
        log.info("responsibility CSV: %d rows, %d rules new, %d exceptions new", len(parsed), rc, ec)
        return ImportReport(len(parsed), rc, rch, ec, ech, same)


def resolve_region(s: Session, region_id: int | None = None, *, site_ids: list[int] | None = None,
                   sites: list[SiteRow] | None = None, heightened: Mapping[int, Mapping[str, str]] | None = None
                   ) -> tuple[list[algo.SiteKey], Resolution]:
    """Sites (tiered; ``heightened``: see sites_index.site_keys) and who holds each role."""
    if sites is None:
        sites = load_sites(s, region_id=region_id, site_ids=site_ids)
    keys = site_keys(s, sites, heightened=heightened)
    rules = [algo.ResponsibilityRule(r.id, r.role, r.agency_id, r.region_id, r.category, r.tier)
             for r in list_rules(s, region_id=region_id)]
    ids = {k.site_id for k in keys}
    excs = [algo.SiteException(e.site_id, e.role, e.agency_id) for e in list_exceptions(s) if e.site_id in ids]
    return keys, algo.resolve(keys, rules, excs)


@dataclass(frozen=True)
class MatrixRow:
    site_id: int
    site_name: str | None
    category: str
    tiers: tuple[str, ...]
    operator: tuple[int, str, str] | None  # (agency id, name, source)
    supervising: tuple[int, str, str] | None
    lead: tuple[int, str, str] | None


def matrix(s: Session, region_id: int) -> tuple[list[MatrixRow], Resolution]:
    """The responsibility matrix of a region: every site's three roles and where each came from."""
    if s.get(Region, region_id) is None:
        raise NotFound(f"region {region_id} does not exist")
    sites = load_sites(s, region_id=region_id)
    site_names = {x.id: x.name for x in sites}
    keys, res = resolve_region(s, region_id, sites=sites)
    names = {a.id: a.name for a in s.scalars(select(Agency))}
    out = []
    def cell(a: algo.Assignment | None) -> tuple[int, str, str] | None:
        return None if a is None else (a.agency_id, names.get(a.agency_id, f"agency {a.agency_id}"), a.source)

    for k in keys:
        roles = res.assignments.get(k.site_id, {})
        out.append(MatrixRow(k.site_id, site_names.get(k.site_id), k.category, tuple(sorted(k.tiers)),
                             cell(roles.get("operator")), cell(roles.get("supervising")), cell(roles.get("lead"))))
    return out, res
