"""Regions (jurisdictions), their boundaries and road networks, the routing-graph cache."""
