"""BASTION_TILE_LABELS_URL: validated like BASTION_TILE_URL, sent to the page in /meta, and its host (only) added to
the CSP's img-src beside the base map's."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from bastion.platform.hardening import content_security_policy

BASE = "https://{s}.tiles.example/{z}/{x}/{y}.png"
LABELS = "https://labels.example:8443/names/{z}/{x}/{y}.png"


def test_both_tile_hosts_and_no_other_in_img_src() -> None:
    csp = content_security_policy(BASE, LABELS)
    assert "img-src 'self' data: https://*.tiles.example https://labels.example:8443;" in csp
    assert "img-src 'self' data: https://tiles.example;" in content_security_policy(
        "https://tiles.example/{z}/{x}/{y}.png", "https://tiles.example/labels/{z}/{x}/{y}.png")  # one host once
    assert "img-src 'self' data:;" in content_security_policy(None, None)


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://tiles.example/{z}/{x}/{y}.png",
                                 "https://labels.example/{z}/{x}.png", "labels.example/{z}/{x}/{y}.png"])
def test_a_bad_labels_url_is_refused_naming_the_variable(bad: str) -> None:
    with pytest.raises(ValidationError, match="BASTION_TILE_LABELS_URL must be an http"):
        Settings(tile_labels_url=bad)


def test_blank_means_unset_and_the_page_gets_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert Settings(tile_labels_url="  ").tile_labels_url is None
    settings = Settings(data_dir=tmp_path, tile_url=BASE, tile_labels_url=LABELS, job_workers=0)
    app = create_app(settings)
    with TestClient(app) as client:
        r = client.get("/api/v1/meta")
        assert r.json()["tile_labels_url"] == LABELS
        assert "https://labels.example:8443" in r.headers["content-security-policy"]
    app.state.engine.dispose()
