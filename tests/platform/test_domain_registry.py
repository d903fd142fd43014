"""Adding a domain takes a folder and one line in the registry (docs/architecture.md): its routes, commands, web
script and translations appear with nothing else edited. Proved with a throw-away domain built in a temp folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import bastion
from bastion.kernel.settings import Settings
from bastion.platform import cli as platform_cli
from bastion.platform import meta
from bastion.platform import registry
from tests.auth_helpers import TEST_SECRET

FILES = {
    "__init__.py": '"""A throw-away domain for the registry test."""\n',
    "manifest.py": (
        "from bastion.kernel.domain import CommandSpec, DomainSpec\n"
        "SPEC = DomainSpec('zzdemo', routers=('bastion.zzdemo.api',),\n"
        "    commands=(CommandSpec('zzdemo', 'bastion.zzdemo.cli:app', 'Demo commands.'),),\n"
        "    web_scripts=('zzdemo.js',), i18n=True)\n"
    ),
    "api.py": (
        "from fastapi import APIRouter\n"
        "from bastion.access.http import public\n"
        "router = APIRouter(prefix='/api/v1')\n"
        "@router.get('/zzdemo/ping', dependencies=[public()])\n"
        "def ping() -> dict[str, str]:\n"
        "    return {'pong': 'yes'}\n"
    ),
    "cli.py": (
        "import typer\n"
        "app = typer.Typer(help='Demo commands.')\n"
        "@app.command('hello')\n"
        "def hello() -> None:\n"
        "    print('hello from zzdemo')\n"
        "@app.command('bye')\n"
        "def bye() -> None:\n"
        "    print('bye')\n"
    ),
    "web/zzdemo.js": "export function register(ctx) { return { setRegion() {} }; }\n",
    "i18n/en.json": '{"zzdemo.title": "Demo"}\n',
    "i18n/zh-CN.json": '{"zzdemo.title": "演示"}\n',
}


@pytest.fixture
def demo_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    root = tmp_path / "ext"
    for rel, text in FILES.items():
        f = root / "zzdemo" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
    monkeypatch.setattr(bastion, "__path__", [*bastion.__path__, str(root)])
    monkeypatch.setattr(registry, "DOMAINS", (*registry.DOMAINS, "zzdemo"))  # the one line
    registry.specs.cache_clear()
    meta.catalogue.cache_clear()
    yield
    registry.specs.cache_clear()
    meta.catalogue.cache_clear()
    for name in [m for m in sys.modules if m.startswith("bastion.zzdemo")]:
        del sys.modules[name]


def test_a_new_domain_is_served_listed_and_translated(demo_domain: None, tmp_path: Path) -> None:
    from bastion.platform.app import create_app

    app = create_app(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'b.db'}",
                              secret_key=TEST_SECRET))
    with TestClient(app) as c:
        assert c.get("/api/v1/zzdemo/ping").json() == {"pong": "yes"}
        assert "zzdemo.js" in c.get("/api/v1/meta").json()["web_modules"]
        js = c.get("/static/zzdemo.js")
        assert js.status_code == 200 and "register" in js.text
        assert c.get("/static/app.js").status_code == 200  # the shell's own files still served
        assert c.get("/i18n/zh-CN.json").json()["zzdemo.title"] == "演示"
    app.state.engine.dispose()
    out = CliRunner().invoke(platform_cli.app, ["--help"]).output
    assert "zzdemo" in out and "Demo commands." in out
    r = CliRunner().invoke(platform_cli.app, ["zzdemo", "hello"])
    assert r.exit_code == 0 and "hello from zzdemo" in r.output


def test_two_domains_cannot_claim_one_command(demo_domain: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from bastion.kernel.domain import CommandSpec
    from bastion.kernel.domain import DomainSpec

    clash = DomainSpec("zzdemo", commands=(CommandSpec("sites", "bastion.zzdemo.cli:app", "clash"),))
    import importlib

    monkeypatch.setattr(importlib.import_module("bastion.zzdemo.manifest"), "SPEC", clash)
    registry.specs.cache_clear()
    with pytest.raises(RuntimeError, match="sites"):
        platform_cli.lazy_commands()
