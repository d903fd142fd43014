"""Pure domain cores: plain values in, plain values out. No I/O, no clock, no global RNG."""
