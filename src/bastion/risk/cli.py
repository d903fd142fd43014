"""`bastion risk | measures | threat-level`: tiers, T×V×C risk, ranking, budget portfolio, measures, threat levels."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from bastion.algorithms.risk import CATALOGUE
from bastion.kernel.cli import audit_read
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import if_version_option
from bastion.kernel.cli import json_option
from bastion.kernel.cli import parse_local_time
from bastion.kernel.cli import print_items
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo
from bastion.sites.repository import SiteRepo

risk_app = typer.Typer(help="Tiers under three regimes, T×V×C risk, region ranking, budget portfolio.",
                       no_args_is_help=True)


measures_app = typer.Typer(help="Protective measures recorded per site.", no_args_is_help=True)


threat_app = typer.Typer(help="A region's threat level (UK scale) and heightened protection level (China).",
                         no_args_is_help=True)


@risk_app.command("tiers")
@handle_errors
def tiers(site_id: int = typer.Argument(None, help="Site id (omit with --region for counts)."),
          region: str | None = region_option(None, help="Region name or id: tier counts per regime."),
          as_json: bool = json_option()) -> None:
    """A site's tier under every regime, side by side; or per-regime counts for a region."""
    from bastion.risk import service as svc

    if site_id is not None:
        audit_read("tiers", object_type="site", object_id=site_id)  # a site's facts and posture
    with session_factory()() as s:
        if site_id is not None:
            site = SiteRepo(s).get(site_id)
            rows: list[dict[str, Any]] = [
                {"standard_id": tr.standard_id, "standard": svc.standards()[tr.standard_id].name, "tier": tr.label,
                 "why": list(tr.reasons), "requirements": [r.measure for r in tr.requirements]}
                for tr in svc.site_tiers(s, site)]
            if as_json:
                print_json({"items": rows, "total": len(rows), "site_id": site.id, "site": site.name})
                return
            t = Table("standard", "tier", "why", "requirements", title=f"{site.name or site.kind} (site {site.id})")
            for r in rows:
                t.add_row(r["standard"], r["tier"], "; ".join(r["why"]), ", ".join(r["requirements"]))
            console.print(t)
            return
        if region is None:
            raise InvalidInput("give a site id or --region", field="site_id")
        rr = svc.region_risk(s, RegionRepo(s).get_by_ref(region).id)
    counts: dict[tuple[str, str], int] = {}
    for ts in rr.tiers.values():
        for tr in ts:
            k = (tr.standard_id, tr.label)
            counts[k] = counts.get(k, 0) + 1
    if as_json:
        items = [{"standard_id": sid, "tier": label, "sites": n} for (sid, label), n in sorted(counts.items())]
        print_json({"items": items, "total": len(items), "region": rr.region.name, "sites_tiered": len(rr.sites)})
        return
    t = Table("standard", "tier / status", "sites", title=f"{rr.region.name}: {len(rr.sites)} sites tiered")
    for (sid, label), n in sorted(counts.items()):
        t.add_row(sid, label, str(n))
    console.print(t)


@risk_app.command("assess")
@handle_errors
def assess(site_id: int = typer.Argument(None, help="Site id (or --region to score and store a whole region)."),
           region: str | None = region_option(None, help="Region name or id: score every site and store the results."),
           at: str | None = typer.Option(None, "--at", help="Local time for occupancy, e.g. 2026-11-28T21:00.")) -> None:
    """Risk per threat (T×V×C, matrix cell) and the gaps; with --region, score every site and store it."""
    from bastion.risk import service as svc

    when = parse_local_time(at)
    if site_id is None:
        if region is None:
            raise InvalidInput("give a site id or --region", field="site_id")
        with session_factory()() as s:
            rid = RegionRepo(s).get_by_ref(region).id
        from bastion.jobs.foreground import run_with_bar
        from bastion.risk.jobs import ASSESS

        job = run_with_bar(ASSESS, {"region_id": rid, "at": when.isoformat() if when else None}, region_id=rid,
                           title="risk assessment")
        r = job.result or {}
        console.print(f"{r['region']}: {r['n_sites']} sites scored and stored in {r['runtime_s']:.2f} s "
                      f"(threat level {r['threat_level']}; job {job.id})")
        return
    with session_factory()() as s:
        site = SiteRepo(s).get(site_id)
        a = svc.assess(s, site, at=when)
        t = Table("threat", "T", "V", "C (people-eq.)", "risk", "L", "I", "rating",
                  title=f"{site.name or site.kind}: total {a.total_risk:.4g}, worst {a.worst_rating} ({a.threat_level})")
        for r in a.by_threat:
            t.add_row(r.threat, f"{r.threat_index:.4f}", f"{r.vulnerability:.2f}", f"{r.consequence:.1f}",
                      f"{r.risk:.4g}", str(r.likelihood_level), str(r.impact_level), r.rating)
        console.print(t)
        g = Table("missing measure", "risk reduction", "cost (EUR)", title="gaps")
        for gap in a.gaps[:8]:
            g.add_row(CATALOGUE[gap.measure].label, f"{gap.risk_reduction:.4g}", f"{gap.cost:,.0f}")
        console.print(g)


@risk_app.command("rank")
@handle_errors
def rank(region: str = region_option(),
         top: int = typer.Option(20, "--top", min=1, help="How many sites to list."),
         at: str | None = typer.Option(None, "--at", help="Local time for occupancy, e.g. 2026-11-28T21:00."),
         as_json: bool = json_option()) -> None:
    """Rank a region's sites by total risk, with the 4×4 matrix counts."""
    from bastion.risk import service as svc

    with session_factory()() as s:
        rr = svc.region_risk(s, RegionRepo(s).get_by_ref(region).id, at=parse_local_time(at))
    rows: list[dict[str, Any]] = []
    for i, a in enumerate(rr.ranking[:top], start=1):
        x = rr.sites[int(a.site_id)]
        tiers_ = {tr.standard_id: tr.tier for tr in rr.tiers[x.id]}
        rows.append({"rank": i, "site_id": x.id, "site": x.name, "kind": x.kind, "risk": a.total_risk,
                     "rating": a.worst_rating, "uk": tiers_.get("uk_ppa_2025"), "fsl": tiers_.get("us_isc_fsl"),
                     "cn": tiers_.get("cn_key_target")})
    if as_json:
        print_json({"items": rows, "total": len(rr.ranking), "region": rr.region.name,
                    "matrix": [{"likelihood": li, "impact": ii, "count": rr.matrix.get((li, ii), 0)}
                               for li in range(4, 0, -1) for ii in range(1, 5)]})
        return
    t = Table("#", "site", "kind", "risk", "rating", "UK", "FSL", "CN", title=f"{rr.region.name} ({len(rr.ranking)} sites)")
    for r in rows:
        t.add_row(str(r["rank"]), r["site"] or "—", r["kind"], f"{r['risk']:.4g}", r["rating"], r["uk"] or "–",
                  r["fsl"] or "–", r["cn"] or "–")
    console.print(t)
    m = Table("likelihood \\ impact", "I1", "I2", "I3", "I4", title="risk matrix (site × threat pairs)")
    for li in range(4, 0, -1):
        m.add_row(f"L{li}", *(str(rr.matrix.get((li, ii), 0)) for ii in range(1, 5)))
    console.print(m)


@risk_app.command("portfolio")
@handle_errors
def portfolio(region: str = region_option(), budget: float = typer.Option(..., "--budget", min=0, help="EUR."),
              max_candidates: int = typer.Option(4, "--max-candidates", min=0, max=6)) -> None:
    """With budget B, which measures where: exact (HiGHS) vs greedy, and the difference."""
    from bastion.risk import service as svc

    with session_factory()() as s:
        pc = svc.portfolio(s, RegionRepo(s).get_by_ref(region).id, budget, max_candidates=max_candidates)
        names = {x.id: x.name or x.kind for x in svc.region_sites(s, RegionRepo(s).get_by_ref(region).id)}
    t = Table("site", "measures", "cost (EUR)", "risk reduction", title=f"exact plan (HiGHS), budget {budget:,.0f} EUR")
    for a in pc.exact.allocations:
        t.add_row(names.get(int(a.site_id), a.site_id), ", ".join(a.measures), f"{a.cost:,.0f}", f"{a.risk_reduction:.4g}")
    console.print(t)
    diff_pct = 0.0 if pc.exact.objective <= 0 else 100 * pc.difference / pc.exact.objective
    console.print(f"{pc.n_sites} sites, risk now {pc.base_risk:.4g}; exact removes {pc.exact.objective:.4g} "
                  f"(cost {pc.exact.total_cost:,.0f} EUR, {pc.exact.runtime_s:.2f} s); greedy removes "
                  f"{pc.greedy.objective:.4g} (cost {pc.greedy.total_cost:,.0f} EUR, {pc.greedy.runtime_s:.3f} s); "
                  f"difference {pc.difference:.4g} ({diff_pct:.2f} % of exact); table built in {pc.build_s:.2f} s")


@measures_app.command("add")
@handle_errors
def measures_add(site_id: int = typer.Argument(...), kind: str = typer.Argument(..., help=f"One of: {', '.join(CATALOGUE)}"),
                 param: list[str] = typer.Option([], "--param", "-p",
                                                 help="name=value (JSON value), e.g. -p retention_days=90 "
                                                      "-p 'rating=\"M50-P1\"' -p 'dates=[\"2026-05-01\"]'"),
                 if_version: int | None = if_version_option()) -> None:
    """Record (or replace) a measure at a site, with its parameters verbatim."""
    from bastion.risk import service as svc

    params = {}
    for p in param:
        if "=" not in p:
            raise InvalidInput(f"--param must be name=value, got {p!r}", field="param")
        k, v = p.split("=", 1)
        try:
            params[k.strip()] = json.loads(v)
        except json.JSONDecodeError:
            params[k.strip()] = v
    m = svc.record_measure(session_factory(), site_id, kind, params, expected_version=if_version)
    console.print(f"site {site_id}: {CATALOGUE[m.kind].label} recorded {json.dumps(m.params, ensure_ascii=False)}")


@measures_app.command("list")
@handle_errors
def measures_list(site_id: int = typer.Argument(..., help="Site id."), as_json: bool = json_option()) -> None:
    """Measures recorded at a site."""
    from bastion.risk import service as svc

    with session_factory()() as s:
        SiteRepo(s).get(site_id)
        rows: list[dict[str, Any]] = [{"kind": m.kind, "label": CATALOGUE[m.kind].label, "parameters": m.params, "source": m.source,
                 "recorded_at": m.recorded_at} for m in svc.site_measures(s, site_id)]
    if as_json:
        print_items(rows)
        return
    t = Table("kind", "label", "parameters", "source", "recorded", title=f"site {site_id}")
    for r in rows:
        t.add_row(r["kind"], r["label"], json.dumps(r["parameters"], ensure_ascii=False), r["source"],
                  r["recorded_at"].strftime("%Y-%m-%d"))
    console.print(t)


@threat_app.command("set")
@handle_errors
def threat_set(region: str = region_option(),
               uk: str | None = typer.Option(None, "--uk", help="LOW, MODERATE, SUBSTANTIAL, SEVERE or CRITICAL."),
               cn: str | None = typer.Option(None, "--cn", help="level_3, level_2, level_1, or 'normal'."),
               scale: str | None = typer.Option(None, "--scale", help="Which level scales threat: uk or cn."),
               if_version: int | None = if_version_option()) -> None:
    """Set a region's threat level(s)."""
    from bastion.risk import service as svc

    with session_factory()() as s:
        rid = RegionRepo(s).get_by_ref(region).id
    kw: dict[str, Any] = {} if cn is None else {"cn_heightened_level": None if cn == "normal" else cn}
    t = svc.set_threat_level(session_factory(), rid, uk_threat_level=uk.upper() if uk else None, scoring_scale=scale,
                             expected_version=if_version, **kw)
    console.print(f"region {region}: UK {t.uk_threat_level}, China heightened {t.cn_heightened_level or 'normal'}, "
                  f"scoring on {t.scoring_level}")
