"""The CLI conventions (docs/cli-conventions.md), checked on the whole command tree.

The tree is walked from `bastion.platform.cli.app` with every lazy domain group expanded, like
tests/platform/test_authz_matrix.py walks the routes: a new command is checked without being listed here.

Adding a command? Give it a docstring; name a region with `region_option()` (`--region NAME|ID`); give a `list` or
`show` command `--json` (`json_option()`, printed with `print_items` / `print_json`); reuse an option name only with
the same meaning and type. The failure message names the command and the rule.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import get_args
from typing import get_origin

import pytest
import typer
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from bastion.platform.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@dataclass(frozen=True)
class Cmd:
    path: tuple[str, ...]  # ("risk", "rank")
    cmd: Any  # a typer command or group

    @property
    def name(self) -> str:
        return "bastion " + " ".join(self.path)

    @property
    def is_group(self) -> bool:
        return isinstance(self.cmd, TyperGroup)


def walk() -> Iterator[Cmd]:
    """Every group and command, lazy domain groups imported and expanded."""
    root = typer.main.get_command(app)

    def rec(cmd: Any, path: tuple[str, ...], parent: typer.Context | None) -> Iterator[Cmd]:
        yield Cmd(path, cmd)
        if isinstance(cmd, TyperGroup):
            ctx = typer.Context(cmd, info_name=path[-1] if path else "bastion", parent=parent)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, f"`bastion {' '.join((*path, name))}` is listed but cannot be loaded"
                yield from rec(sub, (*path, name), ctx)

    yield from rec(root, (), None)


TREE = list(walk())
COMMANDS = [c for c in TREE if not c.is_group]


def options(c: Cmd) -> list[Any]:
    return [p for p in c.cmd.params if p.param_type_name == "option"]


def arguments(c: Cmd) -> list[Any]:
    return [p for p in c.cmd.params if p.param_type_name == "argument"]


def base_type(p: Any) -> Any:
    """The value type of one occurrence: `str | None` and `list[str]` (repeatable) are both `str`."""
    t = p.type_descriptor.annotation
    if get_origin(t) in (list, tuple):
        t = get_args(t)[0]
    return t


def test_the_walk_sees_every_domain() -> None:
    names = {c.path[0] for c in TREE if c.path}
    assert {"regions", "sites", "import", "units", "coverage", "patrol", "vehicle", "risk", "measures",
            "threat-level", "inspect", "tasks", "report", "users", "agencies", "audit", "db"} <= names
    assert ("vehicle", "tasks") in {c.path for c in COMMANDS}  # added to `vehicle` by supervision
    assert len(COMMANDS) > 50


def test_every_command_and_group_has_help_text() -> None:
    missing = [c.name for c in TREE if c.path and not (c.cmd.help or c.cmd.short_help or "").strip()]
    assert not missing, f"give these a docstring (or help=): {missing}"


def test_a_region_is_always_the_region_option() -> None:
    bad = []
    for c in COMMANDS:
        for p in arguments(c):
            if "region" in (p.name or ""):
                bad.append(f"{c.name}: positional argument {p.name!r} (use region_option(): --region NAME|ID)")
        for p in options(c):
            names = [*p.opts, *p.secondary_opts]
            if any("region" in n for n in names) or "region" in (p.name or ""):
                if names == ["--regions"] and (p.metavar or "").startswith("FILE"):
                    continue  # `bastion batch run --regions FILE...` names extract files, not stored regions
                if names != ["--region"]:
                    bad.append(f"{c.name}: option {names} names a region: spell it --region")
                elif p.metavar not in ("NAME|ID", "NAME"):
                    bad.append(f"{c.name}: --region metavar {p.metavar!r} (use region_option())")
    assert not bad, "\n".join(bad)


def test_every_list_and_show_command_has_json() -> None:
    missing = [c.name for c in COMMANDS if c.path[-1] in ("list", "show")
               and not any("--json" in p.opts for p in options(c))]
    assert not missing, f"add `as_json: bool = json_option()` to: {missing}"


# the options whose name must mean one thing with one value type everywhere
SHARED = {"--region": str, "--site": str, "--json": bool, "--out": Path, "--agency": str, "--vehicle": str,
          "--at": str, "--standard": str, "--profile": str, "--limit": int}


# reviewed exceptions to "one name, one value type": keep this short (docs/cli-conventions.md)
SAME_NAME_DIFFERENT_TYPE = {
    "--add": "coverage place --add N (how many new units) vs coverage whatif --add LON,LAT (one hypothetical unit)",
}


def test_options_with_the_same_name_mean_the_same_everywhere() -> None:
    seen: dict[str, list[tuple[str, Any, Any]]] = {}
    for c in COMMANDS:
        for p in options(c):
            for opt in p.opts:
                seen.setdefault(opt, []).append((c.name, base_type(p), p))
    bad = []
    for opt, uses in sorted(seen.items()):
        types = {t for _, t, _ in uses}
        if len(types) > 1 and opt not in SAME_NAME_DIFFERENT_TYPE:
            bad.append(f"{opt} has several value types: " + ", ".join(f"{n}: {t}" for n, t, _ in uses))
        if opt in SHARED and types != {SHARED[opt]}:
            bad.append(f"{opt} must take a {SHARED[opt].__name__}, got {types}")
    for name, _, p in seen["--json"]:
        if not p.is_flag or p.default is not False or p.name != "as_json":
            bad.append(f"{name}: --json must be json_option() (a flag, off by default)")
    helps = {p.help for _, _, p in seen["--json"]}
    if len(helps) != 1:
        bad.append(f"--json has several help texts (use json_option()): {helps}")
    for name, _, p in seen["--site"]:
        if "site id or exact name" not in (p.help or "").lower():
            bad.append(f"{name}: --site takes a site id or exact name; say so in its help")
    for name, _, p in seen["--region"]:
        if not (p.help or "").startswith("Region"):
            bad.append(f"{name}: --region help should start with 'Region name or id'")
    assert not bad, "\n".join(bad)


def _readme_invocations() -> Iterator[list[str]]:
    """`bastion ...` lines of README.md's CLI blocks, split at ` | ` alternatives and `#` comments."""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith("bastion "):
            continue
        line = line.split("  #")[0]
        words = shlex.split(line)[1:]
        yield words[: words.index("|")] if "|" in words else words


def test_the_readme_commands_parse() -> None:
    """Every command and option the README shows exists (README once said `threat-level set --region` while
    the command took the region positionally)."""
    by_path = {c.path: c for c in TREE}
    bad = []
    for words in _readme_invocations():
        path: tuple[str, ...] = ()
        for w in words:
            if (*path, w) in by_path:
                path = (*path, w)
            else:
                break
        c = by_path[path]
        if c.is_group:
            continue  # e.g. `bastion units list|add|edit`: a list of subcommands
        known = {o for p in options(c) for o in (*p.opts, *p.secondary_opts)}
        for w in words:
            if w.startswith("--") and w.split("=")[0] not in known:
                bad.append(f"README: `bastion {' '.join(words)}`: {c.name} has no option {w}")
    assert not bad, "\n".join(bad)


# ---- --json output on a Monaco database ----

def run_json(*args: str) -> Any:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.fixture
def monaco(cli_monaco: Path) -> Path:
    return cli_monaco


def test_json_outputs(monaco: Path) -> None:
    regions = run_json("regions", "list", "--json")
    assert regions["total"] == 1 and len(regions["items"]) == 1
    m = regions["items"][0]
    assert set(m) == {"id", "name", "sites", "osm_file", "boundary_source"}
    assert m["name"] == "Monaco" and m["sites"] > 100

    sites = run_json("sites", "list", "--region", "Monaco", "--limit", "5", "--json")
    assert len(sites["items"]) == 5 and sites["total"] == m["sites"]
    assert set(sites["items"][0]) == {"id", "name", "category", "kind", "capacity", "capacity_method"}

    found = run_json("sites", "list", "--region", str(m["id"]), "--q", "louis-ii", "--json")
    stade = next(x for x in found["items"] if x["name"] == "Stade Louis-II")
    detail = run_json("sites", "show", str(stade["id"]), "--json")
    assert {k: detail[k] for k in stade} == stade  # the list's fields, same values
    assert isinstance(detail["lat"], float) and isinstance(detail["capacity_inputs"], dict)
    assert detail["missing_from_source"] is False

    units = run_json("units", "list", "--region", "Monaco", "--json")
    assert units["total"] == len(units["items"]) > 0
    assert {"id", "name", "type", "standard_s", "lon", "lat"} <= set(units["items"][0])

    plans = run_json("patrol", "list", "--json")
    assert plans == {"items": [], "total": 0}
    tasks = run_json("tasks", "list", "--region", "Monaco", "--json")
    assert tasks == {"items": [], "total": 0}

    r = runner.invoke(app, ["sites", "show", "999999", "--json"])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_json_of_ranking_and_measures(monaco: Path) -> None:
    r = runner.invoke(app, ["threat-level", "set", "--region", "Monaco", "--uk", "SEVERE"])  # as in the README
    assert r.exit_code == 0 and "SEVERE" in r.output, r.output
    rank = run_json("risk", "rank", "--region", "Monaco", "--top", "3", "--json")
    assert len(rank["items"]) == 3 and rank["total"] > 100 and rank["region"] == "Monaco"
    assert [x["rank"] for x in rank["items"]] == [1, 2, 3]
    assert rank["items"][0]["risk"] >= rank["items"][1]["risk"] >= rank["items"][2]["risk"]
    assert len(rank["matrix"]) == 16
    tiers = run_json("risk", "tiers", "--region", "Monaco", "--json")
    assert tiers["sites_tiered"] == rank["total"] and tiers["total"] == len(tiers["items"]) > 3
    assert {x["standard_id"] for x in tiers["items"]} == {"uk_ppa_2025", "us_isc_fsl", "cn_key_target"}
    sid = str(rank["items"][0]["site_id"])
    one = run_json("risk", "tiers", sid, "--json")
    assert one["site_id"] == int(sid) and len(one["items"]) == 3 and one["site"] == rank["items"][0]["site"]
    assert runner.invoke(app, ["measures", "add", sid, "cctv", "-p", "retention_days=30"]).exit_code == 0
    measures = run_json("measures", "list", sid, "--json")
    assert measures["total"] == 1 and measures["items"][0]["kind"] == "cctv"
    assert measures["items"][0]["parameters"] == {"retention_days": 30}
    assert re.match(r"\d{4}-\d\d-\d\d", measures["items"][0]["recorded_at"])


def test_json_of_coverage_is_the_api_document(monaco: Path) -> None:
    cov = run_json("coverage", "analyze", "--region", "Monaco", "--standard", "3m", "--json")
    assert cov["region_name"] == "Monaco" and cov["standard_s"] == 180 and cov["weight_basis"] == "capacity"
    assert [b["standard_s"] for b in cov["by_standard"]] == [60, 180, 300]
    assert all(0 <= b["share_sites"] <= 1 for b in cov["by_standard"])
    assert "runtime_s" not in cov


def test_the_region_is_not_positional_any_more(monaco: Path) -> None:
    r = runner.invoke(app, ["risk", "rank", "Monaco"])
    assert r.exit_code == 2 and "--region" in r.output
