"""The batch domain's vocabularies and limits."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """One stage of a region's batch run, in the order they run: each step reads only what the steps before it
    wrote, so a region run again from any point (after a worker died) gives the same results."""

    IMPORT = "import"  # OSM extract -> sites, roads, barriers (imports.import_osm: upsert by OSM id)
    VEHICLE = "vehicle"  # hostile-vehicle approaches of every site (vehicle.assess: upsert by site x vehicle)
    RISK = "risk"  # every site tiered and scored, vehicle gaps included (risk.store_region_assessment: replaces)
    COVERAGE = "coverage"  # 3-minute coverage by the region's units + MCLP placement of COVERAGE_ADD units
    PATROL = "patrol"  # one randomized patrol plan on the stored risk (patrol.create_plan, previous one replaced)


STEPS: tuple[str, ...] = tuple(s.value for s in Step)

COVERAGE_STANDARD_S = 180  # the 3-minute ring
COVERAGE_ADD = 3  # units the MCLP step places (proposed, not stored as units)
PATROL_OPTIONS = {"teams": 2, "days": 1, "max_sites": 12, "seed": 1}  # fixed seed: a re-run gives the same plan
MAX_REGIONS = 5000
LOCK_RETRIES = 8  # attempts of a step that met SQLite's 'database is locked'
