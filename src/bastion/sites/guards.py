"""Resolve a site or region and check the caller may act on it (the one guard every domain's routes use)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bastion.access.http import Guard
from bastion.access.http import region_resource
from bastion.access.http import site_resource
from bastion.access.policy import Permission
from bastion.regions.repository import RegionRepo
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo


def site_in_scope(session: Session, guard: Guard, site_id: int, permission: Permission,
                  what: str | None = None) -> Site:
    """The site, after checking `permission` on it; `what` names a sensitive read to audit."""
    site = SiteRepo(session).get(site_id)
    guard.check(permission, site_resource(site), object_id=site_id)
    if what is not None:
        guard.sensitive_read("site", site_id, what)
    return site


def region_in_scope(session: Session, guard: Guard, region_id: int, permission: Permission,
                    what: str | None = None) -> None:
    """Region-wide figures need the permission over the region (agency-only reach sees no region-wide figures)."""
    guard.check(Permission.REGION_READ, region_resource(region_id), object_type="region", object_id=region_id)
    RegionRepo(session).get(region_id)
    guard.check(permission, region_resource(region_id), object_type="region", object_id=region_id)
    if what is not None:
        guard.sensitive_read("region", region_id, what)
