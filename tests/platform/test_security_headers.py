"""The Content-Security-Policy (security finding 1): strict, on every response, with the tile host when set."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bastion.platform.hardening import content_security_policy
from bastion.platform.hardening import tile_source


def test_every_response_carries_a_strict_csp(anon_client: TestClient) -> None:
    for url in ("/", "/api/v1/meta", "/api/v1/regions"):
        csp = anon_client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'self'" in csp
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp


def test_tile_host_is_the_only_other_image_origin() -> None:
    assert tile_source(None) is None
    assert tile_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert tile_source("https://tiles.example:8443/{z}/{x}/{y}.png") == "https://tiles.example:8443"
    assert tile_source("javascript:alert(1)") is None
    csp = content_security_policy("https://tiles.example/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://tiles.example;" in csp
    assert "script-src 'self';" in csp
