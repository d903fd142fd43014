"""A throw-away Bastion server on 127.0.0.1 for the screenshot script and the browser benchmark: a fresh SQLite
database in a temporary folder, the named OSM extracts imported, one coordinator account. Not for production.

    from scripts.web_live import live_server
    with live_server([("Monaco", MONACO, MONACO_BOUNDARY)]) as (url, login, password): ...
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OSM = ROOT / "data" / "osm"
MONACO = OSM / "monaco-2023-12.osm.pbf"
MONACO_BOUNDARY = OSM / "monaco-boundary.geojson"
ANDORRA = OSM / "andorra-2023-05.osm.pbf"
LOGIN = "planner"
PASSWORD = "correct horse battery staple"  # noqa: S105 (a throw-away local account)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(extracts: list[tuple[str, Path, Path | None]], *, data_dir: Path | None = None,
                db_path: Path | None = None) -> Iterator[tuple[str, str, str]]:
    """Serve the app on a fresh database with `extracts` = [(region name, .osm.pbf, boundary or None)] imported
    (or on `db_path` if it exists already, kept for re-runs). Yields (base url, login, password)."""
    import uvicorn

    from bastion.access import service as accounts
    from bastion.imports.service import import_osm
    from bastion.kernel.db.engine import make_engine
    from bastion.kernel.db.engine import make_session_factory
    from bastion.kernel.settings import Settings
    from bastion.platform import migrate

    with tempfile.TemporaryDirectory(prefix="bastion-live-") as tmp:
        folder = data_dir or Path(tmp)
        db = db_path or folder / "bastion.db"
        fresh = not db.exists()
        settings = Settings(data_dir=folder, database_url=f"sqlite:///{db}", secret_key="x" * 48)
        eng = make_engine(settings.resolved_database_url())
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        if fresh:
            for name, pbf, boundary in extracts:
                import_osm(sf, pbf, name, boundary_file=boundary)
            actor = accounts.Actor("script:web_live")
            aid = accounts.ensure_agency(sf, "Lead office", "lead_office", actor=actor).id
            accounts.create_user(sf, LOGIN, "Planner", aid, PASSWORD, actor=actor)
            accounts.grant(sf, LOGIN, "coordinator", None, actor=actor)
        eng.dispose()
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(__import__("bastion.platform.app", fromlist=["create_app"])
                                               .create_app(settings), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 30 s")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", LOGIN, PASSWORD
        finally:
            server.should_exit = True
            thread.join(timeout=10)
