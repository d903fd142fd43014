"""`bastion demo` — the README's first command — imports Monaco and serves the page (a real process, a real port)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_imports_monaco_and_serves_the_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "BASTION_DATA_DIR": str(tmp_path), "BASTION_JOB_WORKERS": "1"}
    env.pop("BASTION_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "bastion.platform.cli", "demo", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 180
        page = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert page is not None and page.status_code == 200
        assert "Bastion" in page.text
        sign_in = httpx.post(f"http://127.0.0.1:{port}/api/v1/auth/login",
                             json={"login": "demo", "password": "demo-password"}, timeout=10)
        assert sign_in.status_code == 200, sign_in.text
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
