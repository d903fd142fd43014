"""Risk reports: an HTML page per site and per region (inline SVG charts, no scripts, no CDN), printable to
PDF with WeasyPrint; and the region's risk as GeoJSON for the map."""

from __future__ import annotations

from typing import Any

from bastion.risk import service as svc


def risk_geojson(rr: svc.RegionRisk) -> dict[str, Any]:
    """Region sites as points with their total risk, worst rating, rank and tiers (for map colouring)."""
    feats = []
    for i, a in enumerate(rr.ranking, start=1):
        x = rr.sites[int(a.site_id)]
        feats.append({"type": "Feature", "id": x.id, "geometry": {"type": "Point", "coordinates": [x.lon, x.lat]},
                      "properties": {"id": x.id, "name": x.name, "category": x.category, "kind": x.kind,
                                     "risk_total": round(a.total_risk, 6), "risk_rating": a.worst_rating,
                                     "risk_rank": i, "tiers": {t.standard_id: t.tier for t in rr.tiers[x.id]}}})
    return {"type": "FeatureCollection", "threat_level": rr.setting.scoring_level, "features": feats}
