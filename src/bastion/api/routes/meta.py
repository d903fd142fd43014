"""Service metadata, translations and the map page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from bastion import __version__
from bastion.api.deps import SettingsDep
from bastion.api.security import public
from bastion.core.sites.taxonomy import CATEGORIES
from bastion.errors import NotFound

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
I18N_DIR = Path(__file__).resolve().parents[2] / "i18n"
LANGS = ("en", "zh-CN")

router = APIRouter(tags=["meta"])
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def meta_payload(settings: Any) -> dict[str, Any]:
    return {
        "version": __version__,
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "default_language": settings.default_language,
        "languages": list(LANGS),
        "categories": [{"id": c, "kinds": list(k)} for c, k in CATEGORIES.items()],
        "data_attribution": "Map data © OpenStreetMap contributors, ODbL 1.0",
    }


@router.get("/api/v1/meta", dependencies=[public()])
def meta(settings: SettingsDep) -> dict[str, Any]:
    return meta_payload(settings)


@router.get("/api/v1/health", dependencies=[public()])
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/i18n/{lang}.json", dependencies=[public()])
def translations(lang: Literal["en", "zh-CN"]) -> JSONResponse:
    path = I18N_DIR / f"{lang}.json"
    if not path.exists():
        raise NotFound(f"no translations for {lang}")
    return JSONResponse(json.loads(path.read_text(encoding="utf-8")))


@router.get("/", response_class=HTMLResponse, include_in_schema=False, dependencies=[public()])
def index(request: Request, settings: SettingsDep, lang: str | None = None) -> HTMLResponse:
    chosen = lang if lang in LANGS else settings.default_language
    return templates.TemplateResponse(
        request, "index.html",
        {"lang": chosen, "settings_json": json.dumps(meta_payload(settings)), "meta": meta_payload(settings)},
    )
