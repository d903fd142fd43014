"""The built guide: internal links and anchors resolve, it serves under /guide with the app's CSP, and the
generated reference pages match the code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.inline_scripts = 0
        self.style_attrs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.links.append(str(a.get("href") or a.get("src")))
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.inline_scripts += 1
        if "style" in a:
            self.style_attrs += 1


def build_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the guide (both languages, strict: a broken link or anchor in the Markdown fails) into a temporary
    directory, from a copy of docs/guide with the models pages copied in."""
    import material  # noqa: F401  (the dev extra installs MkDocs and Material: the guide is built in CI)
    import mkdocs  # noqa: F401
    out = tmp_path_factory.mktemp("guide")
    work = tmp_path_factory.mktemp("guide-src") / "guide"
    # models pages and the screenshot gallery are written at build time (not committed)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_reference.py"), "--models"], check=True, env=ENV)
    shutil.copytree(GUIDE, work, ignore=shutil.ignore_patterns("site"))
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--strict", "-d", str(out)], cwd=work,
                          check=False, capture_output=True, text=True, env={**ENV, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory)


@pytest.mark.slow
def test_every_internal_link_and_anchor_resolves_in_both_languages(site: Path) -> None:
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    assert (site / "index.html").is_file() and (site / "zh" / "index.html").is_file()
    assert (site / "zh" / "getting-started" / "first-city" / "index.html").is_file()
    broken = []
    for page, parsed in pages.items():
        if page.name == "404.html":  # served for any missing path, so MkDocs writes it with root-absolute links
            continue
        for href in parsed.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "#__")):
                continue
            path = unquote(parts.path)
            if path.startswith("/guide/"):  # root-absolute (the language switcher): the site is served at /guide/
                target = (site / path.removeprefix("/guide/")).resolve()
            else:
                target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(site)} -> {href} (no anchor)")
    assert not broken, "\n".join(broken[:30])


@pytest.mark.slow
def test_the_guide_needs_no_inline_script_style_or_outside_asset(site: Path) -> None:
    """It runs under the app's Content-Security-Policy unchanged: script-src/style-src 'self', no CDN."""
    for page in site.rglob("*.html"):
        parsed = _parse(page)
        assert parsed.inline_scripts == 0, page
        assert parsed.style_attrs == 0, page
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="https?://', text), page
        asset = r'<link[^>]+rel="(?:stylesheet|icon|preload|modulepreload)"[^>]+href="https?://'
        assert not re.search(asset, text), page
        assert "fonts.googleapis" not in text, page


@pytest.mark.slow
def test_bastion_serves_the_guide_under_slash_guide_with_the_csp(site: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from bastion.kernel.settings import Settings
    from bastion.platform import app as app_module

    web = tmp_path / "web"
    shutil.copytree(site, web / "guide")
    monkeypatch.setattr(app_module, "WEB_DIR", web)
    app = app_module.create_app(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/g.db", job_workers=0))
    with TestClient(app) as client:
        for path in ("/guide/", "/guide/zh/", "/guide/getting-started/first-city/", "/guide/reference/cli/"):
            r = client.get(path)
            assert r.status_code == 200, path
            assert "script-src 'self'" in r.headers["content-security-policy"]
            assert "unsafe-inline" not in r.headers["content-security-policy"]
        assert client.get("/guide/assets/md-init.js").status_code == 200


@pytest.mark.slow
def test_reference_pages_match_the_code() -> None:
    """docs/guide/pages/reference/{cli,api,configuration,permissions}(.zh).md are what gen_reference.py writes."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_reference.py"), "--check"], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser
