"""Preparedness: emergency plans per site x scenario (public protection procedures), exits and training
counts, the exercise programme (HSEEP), injects, evaluation and after-action reports.

Facade for other domains: ``service`` (plans) and ``exercises`` (the exercise cycle). Exercise records are
marked EXERCISE and live in their own table: no real view, count or report reads it."""
