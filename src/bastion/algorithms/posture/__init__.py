"""Pure posture logic: threat/response level schemes, rule packs, measure recomputation and diff, patrol
re-solve, staffing and sustainability. No database, clock or environment."""
