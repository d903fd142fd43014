"""Service metadata, translations and the map page."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from typing import Literal
from typing import get_args

from fastapi import APIRouter
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates

from bastion import __version__
from bastion.access.http import public
from bastion.access.schemas import AgencyKind
from bastion.access.schemas import RoleName
from bastion.algorithms.risk.measures import BARRIER_STANDARDS
from bastion.algorithms.sites.taxonomy import CATEGORIES
from bastion.algorithms.vehicle import VEHICLES
from bastion.coverage.enums import DEFAULT_WEIGHT_BASIS
from bastion.coverage.enums import MAX_TIME_LIMIT_S
from bastion.coverage.enums import MIN_TIME_LIMIT_S
from bastion.coverage.enums import TIME_LIMIT_S
from bastion.coverage.enums import PlacementModel
from bastion.coverage.enums import WeightBasis
from bastion.kernel.errors import NotFound
from bastion.kernel.http import SettingsDep
from bastion.kernel.pagination import DEFAULT_LIMIT
from bastion.kernel.pagination import MAX_LIMIT
from bastion.patrol.enums import TEAM_COLOURS
from bastion.platform.registry import specs
from bastion.risk.enums import RATING_COLOURS
from bastion.risk.enums import UNSCORED_COLOUR
from bastion.risk.enums import Rating
from bastion.units.enums import DEFAULT_STANDARD_S
from bastion.units.enums import ResponseStandard
from bastion.units.enums import SpeedProfileName
from bastion.units.enums import UnitType
from bastion.vehicle.enums import DEFAULT_VEHICLE
from bastion.vehicle.enums import SPEED_BINS_KPH
from bastion.vehicle.enums import VehicleClassKey

WEB_DIR = Path(__file__).resolve().parent / "web"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
LANGS = ("en", "zh-CN")

router = APIRouter(tags=["meta"])
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def vocabularies() -> dict[str, Any]:
    """Every vocabulary and limit the web page needs, from the domains' enums.py (the page hard-codes none)."""
    return {
        "vocabularies": {
            "unit_types": [v.value for v in UnitType],
            "speed_profiles": [v.value for v in SpeedProfileName],
            "weight_bases": [v.value for v in WeightBasis],
            "placement_models": [v.value for v in PlacementModel],
            "vehicle_classes": [v.value for v in VehicleClassKey],
            "ratings": [v.value for v in Rating],
            "barrier_standards": list(BARRIER_STANDARDS),
            "roles": list(get_args(RoleName)),
            "agency_kinds": list(get_args(AgencyKind)),
        },
        "response_standards_s": [int(s) for s in ResponseStandard],
        "default_standard_s": int(DEFAULT_STANDARD_S),
        "default_weight_basis": DEFAULT_WEIGHT_BASIS.value,
        "placement_time_limit_s": {"default": TIME_LIMIT_S, "min": MIN_TIME_LIMIT_S, "max": MAX_TIME_LIMIT_S},
        "vehicle_classes": [{"key": k, "label": v.label} for k, v in VEHICLES.items()],
        "default_vehicle": DEFAULT_VEHICLE.value,
        "speed_bins_kph": list(SPEED_BINS_KPH),
        "rating_colours": {str(k): c for k, c in RATING_COLOURS.items()},
        "unscored_colour": UNSCORED_COLOUR,
        "team_colours": list(TEAM_COLOURS),
        "page": {"default_limit": DEFAULT_LIMIT, "max_limit": MAX_LIMIT},
    }


def meta_payload(settings: Any) -> dict[str, Any]:
    return {
        "version": __version__,
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "tile_labels_url": settings.tile_labels_url,
        "default_language": settings.default_language,
        "languages": list(LANGS),
        "categories": [{"id": c, "kinds": list(k)} for c, k in CATEGORIES.items()],
        "data_attribution": "Map data © OpenStreetMap contributors, ODbL 1.0",
        # every registered domain's map script (served under /static/); the page imports each one
        "web_modules": [name for d in specs() for name in d.web_scripts],
        **vocabularies(),
    }


@router.get("/api/v1/meta", dependencies=[public()])
def meta(settings: SettingsDep) -> dict[str, Any]:
    return meta_payload(settings)


@router.get("/api/v1/health", dependencies=[public()])
def health() -> dict[str, str]:
    return {"status": "ok"}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The page's translations: the shell's file merged with every domain's i18n/{lang}.json (a key defined twice
    is an error, so domains cannot overwrite each other's words)."""
    if lang not in LANGS:
        raise NotFound(f"no translations for {lang}")
    files = [I18N_DIR / f"{lang}.json"]
    files += [Path(str(resources.files(f"bastion.{d.name}") / "i18n" / f"{lang}.json")) for d in specs() if d.i18n]
    out: dict[str, str] = {}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        clash = sorted(set(out) & set(data))
        if clash:
            raise RuntimeError(f"{path}: keys already defined by another domain: {clash[:5]}")
        out.update(data)
    return out


@router.get("/i18n/{lang}.json", dependencies=[public()])
def translations(lang: Literal["en", "zh-CN"]) -> JSONResponse:
    return JSONResponse(catalogue(lang))


@cache
def preload_modules() -> tuple[str, ...]:
    """Every script the page imports, named in its head as modulepreload: the browser fetches them all alongside
    app.js instead of discovering them import by import (the shell's modules, then every domain's)."""
    shell = sorted(p.name for p in (WEB_DIR / "static").glob("*.js") if p.name not in ("app.js", "docs.js"))
    return tuple(dict.fromkeys([*shell, *(name for d in specs() for name in d.web_scripts)]))


@router.get("/", response_class=HTMLResponse, include_in_schema=False, dependencies=[public()])
def index(request: Request, settings: SettingsDep, lang: str | None = None) -> HTMLResponse:
    chosen = lang if lang in LANGS else settings.default_language
    return templates.TemplateResponse(
        request, "index.html",
        {"lang": chosen, "settings_json": json.dumps(meta_payload(settings)), "meta": meta_payload(settings),
         "preload": preload_modules()},
    )
