"""Preparedness computations (pure): evacuation time through exits, exercise-calendar rules, assembly-point
choice, plan completeness per tier, and the drill -> vulnerability rule. See docs/models/preparedness.md."""
