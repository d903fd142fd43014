"""The CLI runs the same job kinds in the foreground with a progress bar, and `bastion jobs list|show|cancel|rerun`
reads and drives the queue (SQLite: the embedded default)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app

runner = CliRunner()


def test_a_patrol_plan_runs_as_a_job_with_a_progress_bar(cli_monaco: Path) -> None:
    r = runner.invoke(app, ["patrol", "plan", "--region", "Monaco", "--teams", "1", "--days", "1", "--max-sites", "5",
                            "--seed", "7"])
    assert r.exit_code == 0, r.output
    assert "100%" in r.output and "patrol plan 1 (job 1)" in " ".join(r.output.split())
    listed = json.loads(runner.invoke(app, ["jobs", "list", "--json"]).output)
    assert listed["total"] == 1
    (job,) = listed["items"]
    assert (job["kind"], job["state"], job["progress"], job["attempts"]) == ("patrol.plan", "succeeded", 1.0, 1)
    assert job["actor"].startswith("cli:") and job["result_url"] == "/api/v1/patrol-plans/1"
    shown = json.loads(runner.invoke(app, ["jobs", "show", "1", "--json"]).output)
    assert shown["result"] == {"plan_id": 1, "reused": False} and shown["params"]["options"]["seed"] is None
    # the same command again is the same plan (same options and seed): nothing new is stored
    r = runner.invoke(app, ["patrol", "plan", "--region", "Monaco", "--teams", "1", "--days", "1", "--max-sites", "5",
                            "--seed", "7"])
    assert r.exit_code == 0 and "patrol plan 1 (job 2)" in " ".join(r.output.split())
    assert runner.invoke(app, ["jobs", "cancel", "1"]).output.strip() == "job 1: succeeded"  # finished: unchanged
    r = runner.invoke(app, ["jobs", "rerun", "1"])
    assert r.exit_code == 0 and "queued again" in r.output
    r = runner.invoke(app, ["jobs", "cancel", "1"])
    assert r.exit_code == 0 and "job 1: cancelled" in r.output
    assert runner.invoke(app, ["jobs", "list", "--state", "cancelled", "--json"]).output.count('"id": 1') == 1
    r = runner.invoke(app, ["jobs", "show", "99"])
    assert r.exit_code == 2 and "job 99 does not exist" in r.output
    r = runner.invoke(app, ["jobs", "list", "--state", "stuck"])
    assert r.exit_code == 2 and "state must be one of" in r.output


def test_an_import_failure_is_a_failed_job_with_a_clear_message(cli_monaco: Path) -> None:
    r = runner.invoke(app, ["import", "osm", str(cli_monaco / "missing.osm.pbf"), "--region", "Nowhere"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    (job,) = json.loads(runner.invoke(app, ["jobs", "list", "--json"]).output)["items"]
    assert job["kind"] == "imports.osm" and job["state"] == "failed" and job["error"]["message"] in r.output


@pytest.mark.slow
def test_a_standalone_worker_runs_queued_jobs(cli_monaco: Path) -> None:
    """`bastion worker` in its own process runs what is queued (here a region's risk assessment), then stops on
    SIGTERM."""
    import os
    import signal
    import subprocess
    import sys

    from bastion.jobs import service as svc
    from bastion.jobs.foreground import cli_principal
    from bastion.kernel.cli import session_factory
    from bastion.risk.jobs import ASSESS

    sf = session_factory()
    job = svc.submit(sf, ASSESS, {"region_id": 1, "at": None}, principal=cli_principal(), region_id=1)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "bastion.platform.cli", "worker", "--concurrency", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        done = svc.wait(sf, job.id, poll_s=0.1, timeout_s=120)
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode()
    assert done.state == "succeeded" and done.result is not None and done.result["n_sites"] == 153
    assert done.worker is not None and done.worker.endswith(":bastion-job-1") and str(proc.pid) in done.worker
    assert proc.returncode == 0 and "job worker: 1 thread(s)" in out, out
