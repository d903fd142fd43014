"""Threat priors updated from local counts: a Dirichlet-multinomial (conjugate) update (pure).

Target-type shares. Prior Dirichlet(a0 * p) where p are the global shares the risk domain uses today (published
GTD aggregate, ``bastion.algorithms.risk.threat.default_priors``) and a0 is the prior's weight in pseudo-incidents.
With n_k local incidents on target type k (N in all) the posterior is Dirichlet(a0 p_k + n_k) and its mean

    p'_k = (a0 p_k + n_k) / (a0 + N)

is the updated share; each share's marginal is Beta(a0 p_k + n_k, a0 + N - a0 p_k - n_k), which gives the
credible interval. The threat mix of each target type is updated the same way with weight b0 from the prior mix
(the target type's own mix, else the all-targets mix) and the local counts per Bastion threat.

a0 = b0 = 0 would be the local shares alone; a0 -> infinity keeps the global shares. Defaults (ASSUMPTION,
editable): a0 = 200, b0 = 50 pseudo-incidents, so a region with a few dozen local incidents moves the priors
noticeably but a handful do not overturn forty years of global data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from scipy import stats

from bastion.algorithms.risk.threat import THREATS
from bastion.algorithms.risk.threat import ThreatPriors
from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class ShareUpdate:
    key: str  # target type code (as text) or threat
    prior: float
    local_count: int
    posterior: float
    lower: float  # credible interval of the posterior share
    upper: float


@dataclass(frozen=True)
class PriorUpdate:
    priors: ThreatPriors  # the updated priors, usable by the risk scoring as they are
    target_shares: tuple[ShareUpdate, ...]
    mix: Mapping[int, tuple[ShareUpdate, ...]]
    n_local: int
    target_weight: float
    mix_weight: float


def dirichlet_update(prior: Mapping[str, float], counts: Mapping[str, int], weight: float, *,
                     credible: float = 0.9) -> tuple[ShareUpdate, ...]:
    """Posterior mean and credible interval of every share; keys are the union of prior and counts."""
    if weight < 0:
        raise InvalidInput(f"weight must be >= 0 pseudo-incidents, got {weight}", field="weight")
    if any(c < 0 for c in counts.values()):
        raise InvalidInput("counts must be >= 0", field="counts")
    if not 0 < credible < 1:
        raise InvalidInput(f"credible must be in (0, 1), got {credible}", field="credible")
    total_p = sum(prior.values())
    p = {k: (v / total_p if total_p > 0 else 0.0) for k, v in prior.items()}
    keys = sorted(set(p) | set(counts))
    n = sum(counts.values())
    a_tot = weight + n
    if a_tot <= 0:  # no prior weight and no data: nothing to update
        return tuple(ShareUpdate(k, p.get(k, 0.0), 0, p.get(k, 0.0), p.get(k, 0.0), p.get(k, 0.0)) for k in keys)
    lo_q, hi_q = (1 - credible) / 2, 1 - (1 - credible) / 2
    out = []
    for k in keys:
        a = weight * p.get(k, 0.0) + counts.get(k, 0)
        b = a_tot - a
        if a <= 0:
            lo = hi = 0.0
        elif b <= 0:
            lo = hi = 1.0
        else:
            lo, hi = float(stats.beta.ppf(lo_q, a, b)), float(stats.beta.ppf(hi_q, a, b))
        out.append(ShareUpdate(k, p.get(k, 0.0), counts.get(k, 0), a / a_tot, lo, hi))
    return tuple(out)


def update_priors(global_priors: ThreatPriors, target_counts: Mapping[int, int],
                  threat_counts: Mapping[int, Mapping[str, int]], *, target_weight: float = 200.0,
                  mix_weight: float = 50.0, source: str = "local counts") -> PriorUpdate:
    """Update target-type shares and per-target threat mixes from local counts (keys: GTD target type codes;
    threat names from ``THREATS``; other names are ignored in the mix)."""
    shares = dirichlet_update({str(k): v for k, v in global_priors.target_shares.items()},
                              {str(k): v for k, v in target_counts.items()}, target_weight)
    mixes: dict[int, tuple[ShareUpdate, ...]] = {}
    new_mix: dict[int, Mapping[str, float]] = dict(global_priors.mix)
    all_counts: dict[str, int] = {}
    for tt, tc in threat_counts.items():
        local = {t: int(tc.get(t, 0)) for t in THREATS}
        for t, c in local.items():
            all_counts[t] = all_counts.get(t, 0) + c
        if sum(local.values()) == 0:
            continue
        prior_mix = global_priors.mix.get(tt, global_priors.mix[0])
        upd = dirichlet_update(dict(prior_mix), local, mix_weight)
        mixes[tt] = upd
        new_mix[tt] = MappingProxyType({u.key: u.posterior for u in upd})
    if sum(all_counts.values()) > 0:
        upd0 = dirichlet_update(dict(global_priors.mix[0]), all_counts, mix_weight)
        mixes[0] = upd0
        new_mix[0] = MappingProxyType({u.key: u.posterior for u in upd0})
    n_local = sum(target_counts.values())
    priors = ThreatPriors(MappingProxyType({int(u.key): u.posterior for u in shares}), MappingProxyType(new_mix),
                          global_priors.n_incidents + n_local,
                          f"{global_priors.source}; updated (Dirichlet-multinomial, weights {target_weight:g}/"
                          f"{mix_weight:g}) with {source}: {n_local} incidents")
    return PriorUpdate(priors, shares, MappingProxyType(mixes), n_local, target_weight, mix_weight)
