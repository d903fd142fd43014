"""Aggregate early warning (pure): outbreak detection on weekly counts, alert hygiene, Dirichlet-multinomial
update of threat priors, small-count suppression. See docs/models/warning.md."""
