"""Incident response cores: the unit status machine, travel-time dispatch recommendation, cordons (stand-off
rings) and coverage-restoring move-ups. Pure: arrays and plain values in, plain values out."""
