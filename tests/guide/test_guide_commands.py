"""Every ```bash block of the user guide runs green, in order per page, on a fresh database (runner.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.guide.runner import PAGES
from tests.guide.runner import blocks
from tests.guide.runner import commands
from tests.guide.runner import guide_pages
from tests.guide.runner import run_page

EXECUTED = [p for p in guide_pages("en") if commands(p)]


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
