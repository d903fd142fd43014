"""Every ```bash block of the user guide runs green, in order per page, on a fresh database (runner.py)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.guide.runner import PAGES
from tests.guide.runner import blocks
from tests.guide.runner import commands
from tests.guide.runner import guide_pages
from tests.guide.runner import run_page

EXECUTED = [p for p in guide_pages("en") if commands(p)]

# What a new office has after following "Your first city" on a fresh database: (query, check on its JSON).
FIRST_CITY_REACHES = [
    (["risk", "rank", "--region", "Monaco", "--top", "200", "--json"],
     lambda j: j["total"] == 153 and j["items"][0]["site"] == "Stade Louis-II" and j["items"][0]["risk"] > 0),
    (["units", "list", "--region", "Monaco", "--json"],  # 11 OSM police/fire stations + the foot post added
     lambda j: j["total"] == 12 and any(u["name"] == "Foot post Casino" for u in j["items"])),
    (["patrol", "list", "--region", "Monaco", "--json"], lambda j: j["total"] == 1 and j["items"][0]["teams"] == 2),
    (["vehicle", "gaps", "--region", "Monaco", "--json"], lambda j: j["total"] > 0),
    (["eplans", "list", "--site", "11", "--json"], lambda j: j["total"] == 2),
    (["exercises", "list", "--region", "Monaco", "--json"],
     lambda j: [e["type"] for e in j["items"]] == ["drill"]),
    (["incidents", "list", "--region", "Monaco", "--modes", "exercise", "--json"],
     lambda j: [i["mode"] for i in j["items"]] == ["exercise"]),
]


def test_the_guide_has_executed_commands() -> None:
    """The walk-through a new office follows is executed, not only shown (guards against a renamed fence)."""
    first_city = PAGES / "getting-started" / "first-city.md"
    assert first_city in EXECUTED
    texts = [c.text for c in commands(first_city)]
    for needed in ("bastion import osm", "bastion risk assess", "bastion coverage place", "bastion patrol plan",
                   "bastion vehicle assess", "bastion eplans draft", "bastion exercises add", "bastion incidents open"):
        assert any(t.startswith(needed) for t in texts), needed


@pytest.mark.parametrize("lang", ["zh"])
def test_translated_pages_run_the_same_commands(lang: str) -> None:
    """A Chinese page shows exactly the English page's executed blocks, so running the English ones proves both."""
    for zh in guide_pages(lang):
        en = zh.with_name(zh.name.replace(".zh.md", ".md"))
        assert en.exists(), f"{zh.name} has no English page"
        assert [b for _, b in blocks(zh)] == [b for _, b in blocks(en)], f"{zh.relative_to(PAGES)} differs"


@pytest.mark.slow
@pytest.mark.parametrize("page", EXECUTED, ids=[str(p.relative_to(PAGES)) for p in EXECUTED])
def test_guide_page_commands_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PAGES.parents[2])
    results = run_page(page, tmp_path / "data")
    assert results, f"{page.name}: nothing ran"
    cmd, code, output = results[-1]
    assert code == 0, f"{cmd.page}:{cmd.line}: `{cmd.text}` exited {code}\n{output[-3000:]}"
    assert len(results) == len(commands(page))
    if page.name == "first-city.md":
        from typer.testing import CliRunner

        from bastion.platform.cli import app

        for args, check in FIRST_CITY_REACHES:
            env = {**{k: None for k in os.environ if k.startswith("BASTION_")},
                   "BASTION_DATA_DIR": str(tmp_path / "data")}
            result = CliRunner().invoke(app, args, env=env)
            assert result.exit_code == 0, result.output
            assert check(json.loads(result.output)), " ".join(args)


def _cli_tree() -> dict[tuple[str, ...], set[str]]:
    """Every command path of the `bastion` app → its option names (walked like scripts/gen_reference.py)."""
    import typer
    from typer._click import core

    from bastion.platform.cli import app

    out: dict[tuple[str, ...], set[str]] = {}

    def walk(cmd: object, path: tuple[str, ...], ctx: object) -> None:
        params = getattr(cmd, "params", [])
        out[path] = {o for p in params for o in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]
                     if o.startswith("-")} | {"--help"}
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                walk(sub, (*path, name), core.Context(sub, parent=ctx, info_name=name))

    root = typer.main.get_command(app)
    walk(root, (), core.Context(root, info_name="bastion"))
    return out


MENTION = re.compile(r"`(bastion [^`]+)`|^(bastion .+)$", re.M)


def test_every_command_the_guide_mentions_exists_with_its_options() -> None:
    """Shown-only commands (```sh blocks, `bastion …` in the prose, both languages) name real commands and
    options: the guide invents nothing, and a renamed option fails here even where it is not executed."""
    tree = _cli_tree()
    wrong = []
    for page in [*guide_pages("en"), *guide_pages("zh")]:
        for m in MENTION.finditer(page.read_text(encoding="utf-8")):
            words = (m.group(1) or m.group(2)).split("#")[0].split()[1:]
            path: tuple[str, ...] = ()
            while words and (*path, words[0]) in tree:
                path = (*path, words.pop(0))
            if not path and words and words[0] != "…" and not words[0].startswith("-"):
                wrong.append(f"{page.name}: unknown command `bastion {words[0]}`")
                continue
            for w in words:
                option = w.split("=")[0]
                if option.startswith("--") and option not in tree[path]:
                    wrong.append(f"{page.name}: `bastion {' '.join(path)}` has no option {option}")
    assert not wrong, "\n".join(sorted(set(wrong)))
