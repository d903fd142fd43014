"""An office's own list merged with OSM sites: no duplicates, idempotent, atomic, CRS-aware."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyproj import Transformer
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.sites.models import Site
from bastion.sites.service import import_user_sites

# Stade Louis-II's representative point is about (7.4155, 43.7277); the list gives it in UTM 32N.
UTM = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)


def count(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return s.scalar(select(func.count()).select_from(Site)) or 0


def office_list(tmp_path: Path, stade_lonlat: tuple[float, float]) -> Path:
    x, y = UTM.transform(*stade_lonlat)
    nx, ny = UTM.transform(7.4200, 43.7400)  # an office-listed site that OSM does not have
    p = tmp_path / "office.csv"
    p.write_text(
        "Ref,Nom,Type,X,Y,Cap\n"
        f"KT-1,Stade Louis II (office),stadium,{x:.2f},{y:.2f},16000\n"
        f"KT-2,Water reservoir,water_works,{nx:.2f},{ny:.2f},\n",
        encoding="utf-8",
    )
    return p


MAP = {"id": "Ref", "name": "Nom", "kind": "Type", "lon": "X", "lat": "Y", "capacity": "Cap"}


def test_list_links_to_osm_without_duplicates_and_is_idempotent(
    monaco_sf: sessionmaker[Session], tmp_path: Path
) -> None:
    with monaco_sf() as s:
        stade = s.scalar(select(Site).where(Site.source_id == "49209155"))
        assert stade is not None
        lonlat = (stade.lon, stade.lat)
    n0 = count(monaco_sf)
    path = office_list(tmp_path, lonlat)
    rep = import_user_sites(monaco_sf, path, "Monaco", mapping_=MAP, crs="EPSG:32632")
    assert (rep.matched_osm, rep.inserted) == (1, 1)
    assert count(monaco_sf) == n0 + 1
    with monaco_sf() as s:
        stade = s.scalar(select(Site).where(Site.source_id == "49209155"))
        assert stade is not None and stade.user_ref == "KT-1" and stade.capacity == 16000
        new = s.scalar(select(Site).where(Site.source == "user"))
        assert new is not None and new.kind == "water_works" and abs(new.lon - 7.42) < 1e-6
    rep2 = import_user_sites(monaco_sf, path, "Monaco", mapping_=MAP, crs="EPSG:32632")
    assert rep2.rows_changed == 0 and count(monaco_sf) == n0 + 1


def test_bad_rows_write_nothing_and_name_the_row(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("id,name,kind,lon,lat\nA,ok,school,7.42,43.73\nB,bad,school,abc,43.7\nC,far,school,700000,4800000\n")
    n0 = count(monaco_sf)
    with pytest.raises(InvalidInput) as exc:
        import_user_sites(monaco_sf, p, "Monaco")
    msg = str(exc.value)
    assert "row 2" in msg and "row 3" in msg and "--crs" in msg
    assert count(monaco_sf) == n0
    p2 = tmp_path / "nokind.csv"
    p2.write_text("id,name,lon,lat\nA,x,7.42,43.73\n")
    with pytest.raises(InvalidInput, match="kind"):
        import_user_sites(monaco_sf, p2, "Monaco")
    with pytest.raises(InvalidInput, match="--map"):
        import_user_sites(monaco_sf, p2, "Monaco", mapping_={"colour": "x"})
    with pytest.raises(InvalidInput, match="coordinate reference system"):
        import_user_sites(monaco_sf, p2, "Monaco", crs="EPSG:nonsense")
    assert count(monaco_sf) == n0


def test_geojson_list(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    p = tmp_path / "venues.geojson"
    p.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"V1","name":"Fan zone",'
                 '"category":"public_space"},"geometry":{"type":"Polygon","coordinates":[[[7.430,43.750],[7.431,43.750],'
                 '[7.431,43.751],[7.430,43.751],[7.430,43.750]]]}}]}')
    rep = import_user_sites(monaco_sf, p, "Monaco")
    assert rep.inserted == 1
    with monaco_sf() as s:
        fz = s.scalar(select(Site).where(Site.user_ref == "V1"))
        assert fz is not None and fz.kind == "square" and fz.capacity_method == "open_area" and fz.capacity > 3000


def test_list_row_may_name_any_osm_object_of_a_merged_place(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    # Rue Louis Notari is one site for three ways keyed by way/164338231; the office names another of them
    p = tmp_path / "streets.csv"
    p.write_text("id,name,kind,lon,lat,capacity,osm\nST-9,Notari,pedestrian_zone,7.42,43.73,250,way/444328268\n",
                 encoding="utf-8")
    rep = import_user_sites(monaco_sf, p, "Monaco")
    assert (rep.matched_osm, rep.inserted) == (1, 0)
    with monaco_sf() as s:
        notari = s.scalars(select(Site).where(Site.user_ref == "ST-9")).one()
        assert notari.name == "Rue Louis Notari" and notari.source_id == "164338231" and notari.capacity == 250
