"""Monte-Carlo evaluation against an observing attacker: optimal vs uniform vs risk-proportional patrols.

For each strategy (a coverage vector) and each trial, the defender draws ``n_days`` daily schedules by comb
sampling; the attacker watches them, estimates each target's coverage by its observed frequency and attacks
the target that looks best to him (ties broken for the defender). The realised expected utilities at that
target use the true coverage. The table reports trial means.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.origami import solve_origami
from bastion.algorithms.games.sampling import comb_sample
from bastion.algorithms.games.sampling import fill_slack
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)


def uniform_coverage(n_targets: int, n_resources: float) -> FloatArray:
    return np.full(n_targets, n_resources / n_targets)


def proportional_coverage(weights: npt.ArrayLike, n_resources: float) -> FloatArray:
    """Coverage proportional to ``weights`` (e.g. risk), capped at 1 with the excess re-spread (water-filling)."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
        raise InvalidInput("weights must be finite, non-negative and not all zero", field="weights")
    c = np.zeros_like(w)
    free = np.ones(w.size, dtype=bool)
    left = float(n_resources)
    for _ in range(w.size):
        share = w * free
        if share.sum() <= 0:
            break
        trial: FloatArray = c + left * share / share.sum()
        over = free & (trial >= 1.0)
        if not over.any():
            return trial
        c[over] = 1.0
        free &= ~over
        left = n_resources - c.sum()
    return c


@dataclass(frozen=True)
class EvaluationRow:
    strategy: str
    attacker_utility: float  # mean over trials, attacker's expected utility at the target he picks
    defender_utility: float  # mean over trials
    defender_loss: float  # mean expected loss = -defender utility
    analytic_attacker_utility: float  # best response to the exact coverage (infinitely long observation)
    analytic_defender_utility: float


@dataclass(frozen=True)
class EvaluationTable:
    rows: tuple[EvaluationRow, ...]
    n_days: int
    n_trials: int

    def as_text(self) -> str:
        head = (f"{'strategy':<16}{'attacker EU':>14}{'defender EU':>14}{'defender loss':>15}"
                f"{'exact att.':>12}{'exact def.':>12}")
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append(
                f"{r.strategy:<16}{r.attacker_utility:>14.4f}{r.defender_utility:>14.4f}{r.defender_loss:>15.4f}"
                f"{r.analytic_attacker_utility:>12.4f}{r.analytic_defender_utility:>12.4f}"
            )
        return "\n".join(lines)


def evaluate_strategies(
    game: SecurityGame,
    strategies: dict[str, FloatArray],
    *,
    n_days: int,
    n_trials: int,
    rng: np.random.Generator,
) -> EvaluationTable:
    """Monte-Carlo table for the given coverage vectors (each must sum to at most ``game.n_resources``)."""
    m = int(round(game.n_resources))
    if abs(m - game.n_resources) > 1e-9:
        raise InvalidInput(
            f"n_resources must be a whole number of teams to sample schedules, got {game.n_resources}",
            field="n_resources",
        )
    rows = []
    for name, cov in strategies.items():
        c0 = np.asarray(cov, dtype=np.float64)
        t_exact, ud_exact, ua_exact = game.best_response(c0)
        c = fill_slack(c0, m, keep=t_exact)
        ua_true = game.attacker_utilities(c)
        ud_true = game.defender_utilities(c)
        att, dfd = np.empty(n_trials), np.empty(n_trials)
        for i in range(n_trials):
            days = comb_sample(c, m, n_days=n_days, rng=rng)
            freq = np.bincount(days.ravel(), minlength=game.n_targets) / n_days
            t, _, _ = game.best_response(freq)
            att[i], dfd[i] = ua_true[t], ud_true[t]
        rows.append(EvaluationRow(name, float(att.mean()), float(dfd.mean()), float(-dfd.mean()), ua_exact, ud_exact))
        log.debug("evaluate %s: attacker %.4f defender %.4f", name, att.mean(), dfd.mean())
    return EvaluationTable(tuple(rows), n_days, n_trials)


def compare_with_baselines(
    game: SecurityGame, risk: npt.ArrayLike, *, n_days: int, n_trials: int, rng: np.random.Generator
) -> EvaluationTable:
    """Optimal (ORIGAMI) vs uniform vs risk-proportional coverage for ``game``."""
    strategies = {
        "optimal (SSE)": solve_origami(game).coverage,
        "uniform": uniform_coverage(game.n_targets, game.n_resources),
        "risk-proportional": proportional_coverage(risk, game.n_resources),
    }
    return evaluate_strategies(game, strategies, n_days=n_days, n_trials=n_trials, rng=rng)
