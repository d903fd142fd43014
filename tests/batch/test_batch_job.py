"""`bastion batch run` goes through the `batch.run` job kind: the run is recorded as a job, an account without
global import:run is refused when the job runs, and a re-run of the job gives the same result hashes and rows."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlalchemy import select
from typer.testing import CliRunner

from bastion.access.policy import Grant
from bastion.access.policy import Principal
from bastion.access.policy import Role
from bastion.batch.jobs import RUN
from bastion.batch.models import BatchResult
from bastion.jobs import service as jobs
from bastion.jobs.models import Job
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.kernel.errors import BastionError
from bastion.platform.cli import app
from bastion.sites.models import Site
from tests.conftest import MONACO


def test_cli_records_the_run_as_a_batch_job(cli_monaco):
    r = CliRunner().invoke(app, ["batch", "run", "--regions", f"Monaco={MONACO}", "--steps", "import", "--sequential",
                                 "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[r.output.index("{"):])
    engine = make_engine(f"sqlite:///{cli_monaco / 'bastion.db'}")
    try:
        with make_session_factory(engine)() as s:
            job = s.get(Job, out["job_id"])
            assert job is not None and (job.kind, job.state, job.region_id) == ("batch.run", "succeeded", None)
            assert job.result["regions"][0]["hashes"] == out["regions"][0]["hashes"]
    finally:
        engine.dispose()


def test_rerun_gives_the_same_hashes_and_rows_and_needs_global_grants(db_url, engine):  # engine: migrated
    engine = make_engine(db_url)
    sf = make_session_factory(engine)
    params = {"regions": [f"Monaco={MONACO}"], "steps": ["import", "risk"], "sequential": True}
    try:
        root = Principal(actor="test", superuser=True)
        first = jobs.run_foreground(sf, RUN, params, principal=root, region_id=None)
        with sf() as s:
            sites = s.scalar(select(func.count()).select_from(Site))
        jobs.rerun(sf, first.id, root)
        assert jobs.claim(sf, "test") == first.id
        again = jobs.execute(sf, first.id, RUN)
        assert again.state == "succeeded" and again.attempts == 2
        assert again.result["regions"][0]["hashes"] == first.result["regions"][0]["hashes"]  # type: ignore[index]
        with sf() as s:
            assert s.scalar(select(func.count()).select_from(Site)) == sites == 153
            assert s.scalar(select(func.count()).select_from(BatchResult)) == 2  # one row per region and step

        regional = Principal(actor="user:lead", grants=(Grant(Role.COORDINATOR, region_id=1),))  # one region only
        with pytest.raises(BastionError, match="import:run over every region"):
            jobs.run_foreground(sf, RUN, params, principal=regional, region_id=None)
        with sf() as s:
            refused = s.scalars(select(Job).where(Job.actor == "user:lead")).one()
            assert (refused.state, refused.error["code"]) == ("failed", "permission_denied")  # type: ignore[index]
    finally:
        engine.dispose()
