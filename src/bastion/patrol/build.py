"""Build a patrol plan from a region's stored sites and roads: targets, travel times, solve, sample days.

Targets are site x time slot. The shift is cut into slots of ``slot_min`` minutes; in each slot every team
does one sortie from the base (depot) and back (at most ``max_stops`` stops, ``dwell_min`` at each). For each
weekday and slot the schedule-constrained game (joint model, implementable day plans) is solved by column
generation in ``bastion.algorithms.games``; each day's plan is sampled from it with a seeded generator, so the same
options give the same schedules. Travel times: ``bastion.algorithms.routing`` (patrol-car profile, free flow, largest
strongly connected component; sites snapped to its nearest node). See docs/models/patrol.md ("Service").
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse.csgraph import dijkstra

from bastion.algorithms.games import IDLE
from bastion.algorithms.games import PatrolProblem
from bastion.algorithms.games import Route
from bastion.algorithms.games import SecurityGame
from bastion.algorithms.games import best_routes
from bastion.algorithms.games import default_payoffs
from bastion.algorithms.games import sample_plans
from bastion.algorithms.games import slot_consequences
from bastion.algorithms.games import solve_schedules
from bastion.algorithms.games import visit_times
from bastion.algorithms.risk.consequence import DEFAULT_CAPACITY
from bastion.algorithms.routing import PATROL_CAR
from bastion.algorithms.routing import RoadNetwork
from bastion.algorithms.routing import RoutingGraph
from bastion.algorithms.routing import Snapper
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import travel_time_matrix
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PAYOFFS = ("risk", "capacity")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class PlanOptions:
    """Every option of a patrol plan, with its unit. Build with :func:`check_options`."""

    teams: int
    shift: str = "08:00-16:00"  # HH:MM-HH:MM local time; end <= start means the shift runs past midnight
    days: int = 7
    seed: int = 1
    dwell_min: float = 10.0  # minutes on site at each stop
    max_stops: int = 3  # stops per sortie
    slot_min: float = 60.0  # minutes per time slot = one sortie from the base and back
    max_sites: int = 40  # the highest-consequence sites of the region taken as targets
    start_weekday: int = 0  # weekday of day 1, 0 = Monday
    interdiction_effectiveness: float = 0.8  # share of the consequence a patrol on site prevents
    attacker_penalty: float = 0.5  # attacker's loss when interdicted, in units of the consequence
    closed_fraction: float = 0.05  # share of capacity present while a site is closed
    category_weights: Mapping[str, float] = field(default_factory=dict)  # consequence multiplier per category
    fill_idle: bool = True  # teams the sampled plan leaves idle patrol the best free sites (never the attacked one)
    depot_lon: float | None = None  # the teams' base; default: the target site with the shortest round trips
    depot_lat: float | None = None
    # consequence basis: "risk" (site's stored total risk), "capacity" (people); None = risk when every site has
    # a stored risk, else capacity. The plan records the basis actually used.
    payoff: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.__dict__.items()}


def parse_shift(shift: str) -> tuple[int, int]:
    """'08:00-16:00' -> (start minute of day, length in minutes)."""
    parts = shift.split("-") if isinstance(shift, str) else []
    if len(parts) != 2 or not all(_HHMM.match(p.strip()) for p in parts):
        raise InvalidInput(f"shift must look like 08:00-16:00 (HH:MM-HH:MM, 24-hour), got {shift!r}", field="shift")
    a, b = (int(p[:2]) * 60 + int(p[3:5]) for p in (x.strip() for x in parts))
    length = (b - a) % 1440 or 1440
    return a, length


def check_options(**kwargs: Any) -> PlanOptions:
    """Validate options (InvalidInput names the field); unknown names are refused."""
    known = set(PlanOptions.__dataclass_fields__)
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise InvalidInput(f"unknown option {unknown[0]!r}; known: {', '.join(sorted(known))}", field=unknown[0])
    o = PlanOptions(**{k: v for k, v in kwargs.items() if v is not None or k in ("depot_lon", "depot_lat")})
    _, length = parse_shift(o.shift)

    def need(ok: bool, name: str, msg: str) -> None:
        if not ok:
            raise InvalidInput(f"{name} {msg}, got {getattr(o, name)!r}", field=name)

    need(isinstance(o.teams, int) and o.teams >= 1, "teams", "must be a whole number of teams >= 1")
    need(isinstance(o.days, int) and 1 <= o.days <= 366, "days", "must be between 1 and 366")
    need(isinstance(o.seed, int) and 0 <= o.seed < 2**63, "seed", "must be an integer in [0, 2^63)")
    need(0 <= o.dwell_min <= 480, "dwell_min", "must be between 0 and 480 minutes")
    need(isinstance(o.max_stops, int) and 1 <= o.max_stops <= 4, "max_stops", "must be between 1 and 4")
    need(5 <= o.slot_min <= length, "slot_min", f"must be between 5 and the shift length ({length} min)")
    need(isinstance(o.max_sites, int) and 1 <= o.max_sites <= 200, "max_sites", "must be between 1 and 200")
    need(isinstance(o.start_weekday, int) and 0 <= o.start_weekday <= 6, "start_weekday", "must be 0 (Monday) .. 6")
    need(0 < o.interdiction_effectiveness <= 1, "interdiction_effectiveness", "must be in (0, 1]")
    need(o.attacker_penalty >= 0, "attacker_penalty", "must be >= 0")
    need(0 <= o.closed_fraction <= 1, "closed_fraction", "must be in [0, 1]")
    for cat, w in o.category_weights.items():
        if not (isinstance(w, int | float) and math.isfinite(w) and w >= 0):
            raise InvalidInput(
                f"category_weights[{cat!r}] must be a finite number >= 0, got {w!r}", field="category_weights"
            )
    if o.payoff is not None and o.payoff not in PAYOFFS:
        raise InvalidInput(f"payoff {o.payoff!r} is unknown; use risk or capacity (or leave it out)", field="payoff")
    if (o.depot_lon is None) != (o.depot_lat is None):
        raise InvalidInput("give both depot_lon and depot_lat, or neither", field="depot_lon")
    if o.depot_lon is not None and not (-180 <= o.depot_lon <= 180 and -90 <= o.depot_lat <= 90):  # type: ignore[operator]
        raise InvalidInput(
            f"depot must be lon in [-180, 180], lat in [-90, 90], got {o.depot_lon}, {o.depot_lat}", field="depot_lon"
        )
    return o


@dataclass(frozen=True)
class SiteInput:
    id: int
    name: str | None
    category: str
    lon: float
    lat: float
    capacity: int | None
    weekly: list[Any] | None  # opening_hours_weekly: [[start, end] minutes of the week] or None = unknown
    risk: float | None = None  # stored total risk (sum over threats of T x V x C), None = not assessed


@dataclass(frozen=True)
class TeamDay:
    day: int  # 1..days
    team: int  # 1..teams
    stops: tuple[tuple[int, int, float, float, bool], ...]  # (site index, slot, arrival_s, departure_s, extra)
    path: tuple[tuple[tuple[float, float], ...], ...]  # one lon/lat line per sortie


@dataclass(frozen=True)
class BuiltPlan:
    options: PlanOptions
    sites: tuple[SiteInput, ...]  # the targets' sites, index = site index
    depot: tuple[float, float]
    shift_start_min: int
    slot_starts_s: tuple[float, ...]
    slot_lengths_s: tuple[float, ...]
    travel_time_s: npt.NDArray[np.float64]  # (n+1, n+1), depot first
    road_nodes: npt.NDArray[np.int64]  # (n+1,) road-network node of the depot, then of each site
    dwell_s: float
    coverage: dict[int, npt.NDArray[np.float64]]  # weekday -> (n_sites, n_slots)
    consequence: dict[int, npt.NDArray[np.float64]]  # weekday -> (n_sites, n_slots), people
    schedules: tuple[TeamDay, ...]
    slots: dict[int, list[SlotSolution]]  # weekday -> each slot's equilibrium
    status: str
    objective: float  # lowest defender utility over the solved slot games (people, negative = loss)
    attacker_utility: float  # highest attacker utility over the solved slot games (people)
    gap: float
    runtime_s: float
    n_solves: int

    def weekday(self, day: int) -> int:
        return (self.options.start_weekday + day - 1) % 7


def _consequences(
    sites: Sequence[SiteInput], o: PlanOptions, weekday: int, start_min: int, length: int
) -> npt.NDArray[np.float64]:
    if o.payoff == "risk":  # stored risk replaces capacity; occupancy of the slot still scales it
        cap = [float(s.risk or 0.0) for s in sites]
    else:
        cap = [s.capacity if s.capacity is not None else DEFAULT_CAPACITY.get(s.category, 100) for s in sites]
    hours = [[(0.0, 0.0)] if s.weekly == [] else [tuple(iv) for iv in (s.weekly or [])] for s in sites]
    w = [float(o.category_weights.get(s.category, 1.0)) for s in sites]
    return slot_consequences(cap, hours, weekday * 1440 + start_min, length, slot_minutes=o.slot_min, weights=w,
                             closed_fraction=o.closed_fraction)


def _with_payoff(sites: Sequence[SiteInput], o: PlanOptions) -> PlanOptions:
    """The options with their payoff basis settled: risk when every site has a stored assessment, else capacity."""
    unassessed = [s.id for s in sites if s.risk is None]
    if o.payoff is None:
        o = replace(o, payoff="capacity" if unassessed else "risk")
        if unassessed and len(unassessed) < len(sites):
            log.warning("%d of %d sites have no stored risk assessment; payoffs from capacity",
                        len(unassessed), len(sites))
    elif o.payoff == "risk" and unassessed:
        raise InvalidInput(f"payoff risk needs a stored risk assessment for every site; {len(unassessed)} have none "
                           f"(e.g. site {unassessed[0]}): store a risk assessment of the region first, or use payoff "
                           "capacity", field="payoff", hint="run `bastion risk assess --region R` first")
    return o


def _base_and_times(graph: RoutingGraph, snapper: Snapper, site_nodes: npt.NDArray[np.int64],
                    o: PlanOptions) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Graph nodes (the base, then one per site) and the travel times between them, s."""
    if o.depot_lon is not None and o.depot_lat is not None:
        depot = int(snapper.snap([o.depot_lon], [o.depot_lat]).nearest_node[0])
        nodes = np.concatenate([[depot], site_nodes])  # graph nodes: depot, then one per site
        return nodes, travel_time_matrix(graph, nodes, nodes)
    # the base: the target site whose round trips to all others are shortest (1-median)
    among = travel_time_matrix(graph, site_nodes, site_nodes)
    best = int(np.argmin(among.sum(axis=0) + among.sum(axis=1)))
    pick = np.concatenate([[best], np.arange(len(site_nodes))])
    return site_nodes[pick], among[np.ix_(pick, pick)]


def _targets(sites: Sequence[SiteInput], options: PlanOptions
             ) -> tuple[PlanOptions, list[int], dict[int, np.ndarray[Any, Any]]]:
    """(options with the payoff resolved, indices of the target sites, consequence per weekday); InvalidInput when
    the sites cannot make a plan with these options."""
    if not sites:
        raise InvalidInput("the region has no sites to patrol: import an OSM extract first", field="region")
    o = _with_payoff(sites, options)
    start_min, length = parse_shift(o.shift)
    weekdays = sorted({(o.start_weekday + d) % 7 for d in range(o.days)})
    full = {wd: _consequences(sites, o, wd, start_min, length) for wd in weekdays}
    peak = np.max(np.stack([full[wd].max(axis=1) for wd in weekdays]), axis=0)
    order = np.argsort(-peak, kind="stable")
    chosen = [int(i) for i in order[: o.max_sites] if peak[i] > 0]
    if o.teams > len(chosen):
        raise InvalidInput(
            f"teams must be at most the number of target sites ({len(chosen)}), got {o.teams}", field="teams"
        )
    return o, chosen, full


def check_targets(sites: Sequence[SiteInput], options: PlanOptions) -> None:
    """The checks build_plan makes on the sites before any routing (to refuse a request before queueing it)."""
    _targets(sites, options)


def build_plan(
    sites: Sequence[SiteInput], roads: RoadNetwork, options: PlanOptions, *, progress: Progress | None = None
) -> BuiltPlan:
    """Solve and sample a plan for ``sites`` on ``roads`` (plain values in, plain values out)."""
    t0 = time.perf_counter()
    report = progress or (lambda _s, _d, _t: None)
    if roads.n_edges == 0:
        raise InvalidInput("the region has no roads: import an OSM extract with its road network", field="region")
    o, chosen, full = _targets(sites, options)
    start_min, length = parse_shift(o.shift)
    weekdays = sorted(full)
    targets = tuple(sites[i] for i in chosen)
    consequence = {wd: full[wd][chosen] for wd in weekdays}

    # Road network: the routing core's patrol-car graph (LSCC, fastest parallel edge), snapping, travel times.
    graph = build_graph(roads, PATROL_CAR)
    snapper = Snapper(graph)
    report("travel times", 0, 1)
    site_nodes = snapper.snap([s.lon for s in targets], [s.lat for s in targets])
    if site_nodes.flagged.any():
        log.info("%d of %d sites are farther than %.0f m from the road graph; using their nearest node",
                 int(site_nodes.flagged.sum()), site_nodes.node.size, site_nodes.max_snap_m)
    nodes, tt = _base_and_times(graph, snapper, site_nodes.nearest_node, o)
    _, pred = dijkstra(graph.csr, directed=True, indices=nodes, return_predecessors=True)
    report("travel times", 1, 1)
    best_edge: dict[tuple[int, int], int] = {}
    for e in np.argsort(graph.edge_time_s, kind="stable")[::-1]:
        best_edge[(int(graph.edge_u[e]), int(graph.edge_v[e]))] = int(e)

    def leg(i: int, j: int) -> list[tuple[float, float]]:
        """Road geometry from matrix index i to matrix index j."""
        seq = [int(nodes[j])]
        while seq[-1] != nodes[i]:
            seq.append(int(pred[i, seq[-1]]))
        seq.reverse()
        pts: list[tuple[float, float]] = [(float(graph.node_lon[seq[0]]), float(graph.node_lat[seq[0]]))]
        for u, v in zip(seq[:-1], seq[1:], strict=True):
            e = best_edge[(u, v)]
            g = roads.edge_geometry[int(graph.edge_net[e])]
            g = g[::-1] if graph.edge_reversed[e] else g
            pts.extend((float(x), float(y)) for x, y in g[1:])
        return pts

    # Solve each (weekday, slot) game; identical games are solved once.
    n_slots = consequence[weekdays[0]].shape[1]
    slot_starts = [j * o.slot_min * 60.0 for j in range(n_slots)]
    slot_lengths = [min(o.slot_min * 60.0, length * 60.0 - s) for s in slot_starts]
    dwell = np.full(len(targets), o.dwell_min * 60.0)
    cache: dict[tuple[Any, ...], SlotSolution] = {}
    sol: dict[tuple[int, int], SlotSolution] = {}
    coverage = {wd: np.zeros_like(consequence[wd]) for wd in weekdays}
    total = len(weekdays) * n_slots
    done = 0
    for wd in weekdays:
        for j in range(n_slots):
            v = consequence[wd][:, j]
            key = (tuple(np.round(v, 9)), slot_lengths[j])
            if key not in cache:
                cache[key] = _solve_slot(v, tt, dwell, slot_lengths[j], o)
            sol[(wd, j)] = cache[key]
            coverage[wd][:, j] = cache[key].coverage
            done += 1
            report("solving", done, total)
    solutions = list(cache.values())

    # Sample days: one day plan per slot, routes dealt to teams in a random order; visit times drawn within
    # each sortie's feasible windows from a second stream of the same seed.
    schedules: list[TeamDay] = []
    days = _sample_days(o, sol, consequence, slot_starts, slot_lengths, tt, dwell, leg)
    for day, team_days in enumerate(days, start=1):
        schedules.extend(team_days)
        report("sampling", day, o.days)
    status = "optimal" if all(s.status == "optimal" for s in solutions) else "iteration_limit"
    runtime = time.perf_counter() - t0
    log.info("patrol plan: %d sites x %d slots, %d teams, %d games solved, status %s, %.2f s",
             len(targets), n_slots, o.teams, len(solutions), status, runtime)
    return BuiltPlan(
        options=o,
        sites=targets,
        depot=(float(graph.node_lon[nodes[0]]), float(graph.node_lat[nodes[0]])),
        shift_start_min=start_min,
        slot_starts_s=tuple(slot_starts),
        slot_lengths_s=tuple(slot_lengths),
        travel_time_s=tt,
        road_nodes=graph.node_net[nodes],
        dwell_s=o.dwell_min * 60.0,
        coverage=coverage,
        consequence=consequence,
        schedules=tuple(schedules),
        slots={wd: [sol[(wd, j)] for j in range(n_slots)] for wd in weekdays},
        status=status,
        objective=min(s.defender_utility for s in solutions),
        attacker_utility=max(s.attacker_utility for s in solutions),
        gap=max(s.gap for s in solutions),
        runtime_s=runtime,
        n_solves=len(solutions),
    )


def _sample_days(
    o: PlanOptions, sol: Mapping[tuple[int, int], SlotSolution], consequence: Mapping[int, npt.NDArray[np.float64]],
    slot_starts: Sequence[float], slot_lengths: Sequence[float], tt: npt.NDArray[np.float64],
    dwell: npt.NDArray[np.float64], leg: Callable[[int, int], list[tuple[float, float]]],
) -> Iterator[list[TeamDay]]:
    """Each day's team schedules: one sampled day plan per slot, its routes dealt to teams in a random order,
    each visit's start drawn uniformly within its sortie's feasible window from a second stream of the same seed
    (the plans drawn are those of the first stream alone, so timing leaves the visits, hence the coverage, as
    they were)."""
    rng = np.random.default_rng(o.seed)
    time_rng = np.random.default_rng(np.random.SeedSequence(o.seed).spawn(1)[0])
    n_slots = len(slot_starts)
    for day in range(1, o.days + 1):
        wd = (o.start_weekday + day - 1) % 7
        stops: list[list[tuple[int, int, float, float, bool]]] = [[] for _ in range(o.teams)]
        paths: list[list[tuple[tuple[float, float], ...]]] = [[] for _ in range(o.teams)]
        for j in range(n_slots):
            slot = sol[(wd, j)]
            plan_no = int(sample_plans(slot.weights, n_days=1, rng=rng)[0])
            deal = rng.permutation(o.teams)
            routes = list(slot.plans[plan_no]) if plan_no != IDLE else []
            n_plan = len(routes)
            if o.fill_idle and n_plan < o.teams:
                routes += _fill(slot.problem, slot.attacked_target, routes, consequence[wd][:, j], o.teams - n_plan)
            for r_i, route in enumerate(routes):
                team = int(deal[r_i])
                line: list[tuple[float, float]] = []
                prev = 0
                for st in _timeline(tt, dwell, route.stops, slot_lengths[j], time_rng):
                    stops[team].append((st[0], j, slot_starts[j] + st[1], slot_starts[j] + st[2], r_i >= n_plan))
                    line.extend(leg(prev, st[0] + 1) if not line else leg(prev, st[0] + 1)[1:])
                    prev = st[0] + 1
                line.extend(leg(prev, 0)[1:])
                if len(line) < 2:  # a sortie whose stops are all at the base: no path to draw (GEOS needs 2 points)
                    continue
                simple = shapely.simplify(shapely.LineString(line), 2e-5)  # ~2 m: drops collinear vertices
                paths[team].append(tuple((round(x, 6), round(y, 6)) for x, y in shapely.get_coordinates(simple)))
        yield [TeamDay(day, team + 1, tuple(stops[team]), tuple(paths[team])) for team in range(o.teams)]


@dataclass(frozen=True)
class SlotSolution:
    """The equilibrium of one slot's game, in the plan's site indices."""

    problem: PatrolProblem  # all target sites
    coverage: npt.NDArray[np.float64]
    plans: tuple[tuple[Route, ...], ...]  # day plans (site-disjoint routes)
    weights: npt.NDArray[np.float64]  # probability of each day plan (the rest: nobody sent by the plan)
    attacked_target: int
    defender_utility: float
    attacker_utility: float
    status: str
    gap: float


def _solve_slot(v: npt.NDArray[np.float64], tt: npt.NDArray[np.float64], dwell: npt.NDArray[np.float64],
                slot_s: float, o: PlanOptions) -> SlotSolution:
    """Solve one slot's patrol game on the sites a sortie can reach; the others stay uncovered.

    A site no sortie can reach keeps its uncovered payoffs whatever the teams do; leaving it out lets the
    equilibrium rank the reachable sites (otherwise an unreachable site would be the attacked target and any
    strategy optimal). The reported utilities take the unreachable sites into account.
    """
    payoffs = default_payoffs(
        v, interdiction_effectiveness=o.interdiction_effectiveness, attacker_penalty=o.attacker_penalty
    )
    full = PatrolProblem.from_arrays(SecurityGame.from_arrays(*payoffs, min(o.teams, v.size)), tt, dwell, slot_s,
                                     max_stops=o.max_stops)
    reach = np.flatnonzero(full.reachable())
    if reach.size == 0:
        raise InvalidInput(
            f"no site can be reached from the base, visited for {o.dwell_min} min and left within a "
            f"{slot_s / 60:.0f}-minute slot; lengthen slot_min, shorten dwell_min or move the base (depot_lon/lat)",
            field="slot_min")
    sub_idx = np.concatenate([[0], reach + 1])
    dc, du, ac, au = (p[reach] for p in payoffs)
    game = SecurityGame.from_arrays(dc, du, ac, au, min(o.teams, reach.size))
    problem = PatrolProblem.from_arrays(game, tt[np.ix_(sub_idx, sub_idx)], dwell[reach], slot_s, max_stops=o.max_stops)
    res = solve_schedules(problem, model="joint")
    cov = np.zeros(v.size)
    cov[reach] = res.coverage
    plans = tuple(
        tuple(Route(tuple(int(reach[x]) for x in r.stops), r.duration_s) for r in p.routes) for p in res.plans
    )
    t, ud, ua = full.game.best_response(cov)
    return SlotSolution(full, cov, plans, res.weights, t, ud, ua, res.status, res.gap)


def _fill(problem: PatrolProblem, attacked: int, routes: Sequence[Route], consequence: npt.NDArray[np.float64],
          idle: int) -> list[Route]:
    """Routes for teams the sampled day plan leaves idle: best free sites by consequence, never the attacked target.

    Extra visits only raise coverage off the attacked target, so the attacker's best response and both
    utilities of the equilibrium are unchanged (the same argument as ``fill_slack``).
    """
    w = np.asarray(consequence, dtype=np.float64).copy()
    for r in routes:
        w[list(r.stops)] = 0.0
    w[attacked] = 0.0
    out: list[Route] = []
    for _ in range(idle):
        found = best_routes(problem, w, min_value=0.0, limit=1)
        if not found:
            break
        out.append(found[0][1])
        w[list(found[0][1].stops)] = 0.0
    return out


def _timeline(tt: npt.NDArray[np.float64], dwell: npt.NDArray[np.float64], stops: Sequence[int], slot_s: float,
              rng: np.random.Generator | None) -> list[tuple[int, float, float]]:
    """(site, arrival, departure) of one sortie, seconds after the slot start; each visit's start drawn uniformly
    over its feasible window (travel times, dwell, back at the base by the slot end), see ``visit_times``."""
    path = np.concatenate(([0], np.asarray(stops, dtype=np.int64) + 1, [0]))
    d = dwell[np.asarray(stops, dtype=np.int64)]
    start = visit_times(tt[path[:-1], path[1:]], d, slot_s, rng=rng)
    return [(int(site), float(t), float(t + w)) for site, t, w in zip(stops, start, d, strict=True)]


def clock(shift_start_min: int, seconds: float) -> str:
    """HH:MM of a time given in seconds after the shift start."""
    m = int(round(shift_start_min + seconds / 60.0)) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"
