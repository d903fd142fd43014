"""Capacity as a fire engineer would estimate it, and one site per place, on the bundled Monaco and Andorra
extracts (issue 12): published figures, no campus-sized schools, merged duplicates, stable ids on re-import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import osmium
import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.sites.model import SiteRecord
from bastion.algorithms.sites.places import fold_name
from bastion.algorithms.sites.places import ref_key
from bastion.imports.service import import_osm
from bastion.regions.osm import read_extract
from bastion.sites.models import Site
from tests.conftest import ANDORRA
from tests.conftest import MONACO
from tests.conftest import MONACO_BOUNDARY

STADE = 49209155  # Stade Louis-II, capacity=18523 in the Monaco extract


@pytest.fixture(scope="module")
def monaco() -> list[SiteRecord]:
    return read_extract(MONACO).sites


@pytest.fixture(scope="module")
def andorra() -> list[SiteRecord]:
    return read_extract(ANDORRA).sites


def named(sites: list[SiteRecord], name: str) -> list[SiteRecord]:
    return [s for s in sites if fold_name(s.name) == fold_name(name)]


def copy_osm(src: Path, dst: Path, change: Callable[[osmium.osm.OSMObject], object | None]) -> Path:
    """A pyosmium-written copy of an extract; ``change`` returns the object to write (None drops it)."""
    with osmium.SimpleWriter(str(dst)) as w:
        for obj in osmium.FileProcessor(str(src)):
            out = change(obj)
            if out is not None:
                w.add(out)
    return dst


def test_stadium_without_capacity_tag_within_factor_two_of_published_seats(tmp_path: Path) -> None:
    def untag(o: osmium.osm.OSMObject) -> object:
        if o.is_way() and o.id == STADE:
            return o.replace(tags={t.k: t.v for t in o.tags if t.k != "capacity"})
        return o

    path = copy_osm(MONACO, tmp_path / "monaco-untagged.osm.pbf", untag)
    stade = next(s for s in read_extract(path).sites if s.source_id == str(STADE))
    assert "capacity" not in stade.tags
    est = stade.capacity
    assert est.method == "stands_geometry" and est.capacity is not None
    assert 18523 / 2 <= est.capacity <= 18523 * 2, est
    low, high = est.band
    assert low is not None and high is not None and low <= est.capacity <= high
    assert est.inputs["pitch_m2"] > 7000  # the mapped pitch, not an assumption


def test_no_school_is_campus_sized(monaco: list[SiteRecord], andorra: list[SiteRecord]) -> None:
    schools = [s for s in monaco + andorra if s.kind in ("school", "college", "kindergarten", "childcare")]
    assert len(schools) > 30
    worst = max(schools, key=lambda s: s.capacity.capacity or 0)
    assert (worst.capacity.capacity or 0) <= 3000, (worst.name, worst.capacity)


@pytest.mark.parametrize("name, lo, hi", [
    ("British College d'Andorra", 100, 1500),
    ("Col·legi Sant Ermengol", 300, 3000),
    ("Lycée Comte de Foix", 500, 3000),
    ("Naturlandia (cota 1600)", 1000, 15000),
])
def test_andorra_grounds_are_not_floor_area(andorra: list[SiteRecord], name: str, lo: int, hi: int) -> None:
    [site] = named(andorra, name)
    cap = site.capacity
    assert cap.method in ("buildings_floor_area", "grounds_buildings_open") and lo <= (cap.capacity or 0) <= hi, cap
    low, high = cap.band
    assert low is not None and high is not None and low < (cap.capacity or 0) < high


@pytest.mark.parametrize("region, name, n_members", [
    ("monaco", "Jardin animalier de Monaco", 2),  # the zoo's node "Le Jardin Animalier" and its grounds
    ("monaco", "Place des Bougainvilliers", 2),  # square and pedestrian area
    ("monaco", "Mairie de Monaco", 2),  # node and building
    ("monaco", "Rue Louis Notari", 3),  # one street, three ways
    ("monaco", "Rue Princesse Caroline", 2),
    ("andorra", "Col·legi Sant Ermengol", 2),  # node and grounds
    ("andorra", "Lycée Comte de Foix", 2),  # two grounds of one school across a road
    ("andorra", "Avinguda Meritxell", 2),
    ("andorra", "Plaça de les Fontetes", 2),  # two halves across a street
])
def test_one_site_per_place(request: pytest.FixtureRequest, region: str, name: str, n_members: int) -> None:
    sites: list[SiteRecord] = request.getfixturevalue(region)
    found = named(sites, name)
    assert len(found) == 1, [(s.ref, s.kind) for s in found]
    site = found[0]
    assert len(site.members) >= n_members and site.ref == min(site.members, key=ref_key)
    assert site.capacity.capacity is not None and site.capacity.capacity > 0
    if name.startswith("Jardin animalier"):
        assert not named(sites, "Le Jardin Animalier")


def test_every_osm_reference_is_kept_once(monaco: list[SiteRecord]) -> None:
    refs = [r for s in monaco for r in s.members]
    assert len(refs) == len(set(refs)) and len(refs) > len(monaco)


def test_merged_place_keeps_its_id_when_osm_drops_its_key_way(session_factory: sessionmaker[Session],
                                                              tmp_path: Path) -> None:
    import_osm(session_factory, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    with session_factory() as s:
        notari = s.scalars(select(Site).where(Site.name == "Rue Louis Notari")).one()
        sid, key, members = notari.id, notari.source_id, list(notari.osm_members or [])
    assert len(members) == 3 and f"way/{key}" == members[0]
    dropped = int(key)

    path = copy_osm(MONACO, tmp_path / "monaco-split.osm.pbf",
                    lambda o: None if (o.is_way() and o.id == dropped) else o)
    rep = import_osm(session_factory, path, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.sites_inserted == 0
    with session_factory() as s:
        again = s.scalars(select(Site).where(Site.name == "Rue Louis Notari",
                                             Site.missing_from_source.is_(False))).one()
        assert again.id == sid and again.source_id != key and f"way/{dropped}" not in (again.osm_members or [])
    # and back: the original file restores the original key on the same row, nothing else changes
    rep = import_osm(session_factory, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.sites_inserted == 0 and rep.sites_marked_missing == 0
    with session_factory() as s:
        row = s.get(Site, sid)
        assert row is not None and row.source_id == key and row.osm_members == members
    rep = import_osm(session_factory, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.rows_changed == 0


def test_reimport_over_a_database_from_before_the_merge(tmp_path: Path) -> None:
    """Rows written one per OSM object (the b64729a fixture, 164 sites) upgrade, and a re-import merges them:
    each place keeps the row of its key, the rows of the other members are marked missing (never deleted)."""
    import gzip
    import shutil

    from bastion.kernel.db.engine import make_engine
    from bastion.kernel.db.engine import make_session_factory
    from bastion.platform import migrate

    old = Path(__file__).resolve().parents[1] / "fixtures" / "db" / "monaco-b64729a.sqlite.gz"
    db = tmp_path / "old.db"
    with gzip.open(old) as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    eng = make_engine(f"sqlite:///{db}")
    try:
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        with sf() as s:
            before = {(r.source_type, r.source_id): r.id for r in s.scalars(select(Site))}
            region = s.scalars(select(Site.region_id)).first()
        assert len(before) == 164
        with sf() as s:
            from bastion.regions.models import Region

            name = s.get(Region, region).name  # type: ignore[union-attr]
        rep = import_osm(sf, MONACO, name, boundary_file=MONACO_BOUNDARY)
        assert rep.sites_inserted == 0 and rep.sites_marked_missing == 164 - 153
        with sf() as s:
            live = s.scalars(select(Site).where(Site.missing_from_source.is_(False))).all()
            assert len(live) == 153 and s.scalar(select(func.count()).select_from(Site)) == 164
            notari = next(x for x in live if x.name == "Rue Louis Notari")
            assert notari.id == before[("way", "164338231")] and len(notari.osm_members or []) == 3
        assert import_osm(sf, MONACO, name, boundary_file=MONACO_BOUNDARY).rows_changed == 0
    finally:
        eng.dispose()
