"""`bastion risk | measures | threat-level | inspect | tasks | report` on a SQLite database with Monaco."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app

runner = CliRunner()


@pytest.fixture
def env(cli_monaco: Path) -> Path:
    return cli_monaco


def ok(*args: str) -> str:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_risk_commands_and_supervision_loop(env: Path) -> None:
    out = ok("risk", "tiers", "--region", "Monaco")
    assert "153 sites tiered" in out and re.search(r"uk_ppa_2025\s*│\s*Enhanced duty.*│\s*19", out)
    out = ok("risk", "assess", "--region", "Monaco")
    assert "153 sites scored and stored" in out
    out = ok("risk", "rank", "--region", "Monaco", "--top", "3")
    assert "Stade Louis-II" in out and "risk matrix" in out
    sid = re.search(r"│\s*1\s*│\s*Stade Louis-II", out) and ok("sites", "list", "--q", "louis-ii")
    sid = re.search(r"│\s*(\d+)\s*│\s*Stade Louis-II", sid).group(1)  # type: ignore[union-attr]
    ok("risk", "tiers", sid)
    assert "gaps" in ok("risk", "assess", sid, "--at", "2026-11-28T21:00")
    out = ok("measures", "add", sid, "hvm_barrier", "-p", 'standard="PAS 68"', "-p", "rating=V/7500(N3)/64/90:4.5")
    assert "V/7500(N3)/64/90:4.5" in out
    assert "hvm_barrier" in ok("measures", "list", sid)
    assert "SEVERE" in ok("threat-level", "set", "--region", "Monaco", "--uk", "severe", "--cn", "level_2")
    out = ok("risk", "portfolio", "--region", "Monaco", "--budget", "100000", "--max-candidates", "2")
    assert "greedy removes" in out and "difference" in out
    out = ok("inspect", "start", sid, "--agency", "Sûreté Publique")
    iid = re.search(r"inspection (\d+) of site", out).group(1)  # type: ignore[union-attr]
    assert "items unanswered" in ok("inspect", "answer", iid, "--accept-suggested")
    out = ok("inspect", "complete", iid, "--owner", "Stadium operator", "--deadline-days", "10")
    created = re.search(r"tasks created \[([\d, ]+)\]", out).group(1).split(", ")  # type: ignore[union-attr]
    assert len(created) > 3
    assert f"{len(created)} tasks" in ok("tasks", "list", "--site", sid)
    assert "in_progress" in ok("tasks", "update", created[0], "--status", "in_progress")
    out = ok("tasks", "escalate", "--now", "2099-01-01T00:00Z")
    assert f"{len(created)} tasks escalated" in out and "level 0 → 3" in out
    pdf, html = env / "site.pdf", env / "site.html"
    ok("report", "site", sid, "--pdf", str(pdf), "--html", str(html))
    assert pdf.read_bytes().startswith(b"%PDF") and "Stade Louis-II" in html.read_text(encoding="utf-8")
    r = runner.invoke(app, ["tasks", "update", created[0], "--status", "verified"])
    assert r.exit_code == 2 and "re-inspection" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["measures", "add", sid, "cctv", "-p", "retention_days=-3"])
    assert r.exit_code == 2 and "retention_days" in r.output
    r = runner.invoke(app, ["report", "region", "--region", "Atlantis", "--html", str(html)])
    assert r.exit_code == 2 and "does not exist" in r.output
