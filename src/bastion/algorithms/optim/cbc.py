"""CBC (COIN-OR branch and cut) as a MILP backend for the coverage solvers.

The model built by bastion.algorithms.coverage is written to an MPS file (by HiGHS) and solved by the ``cbc``
executable: the one on PATH, else the one bundled with PuLP (a dev/bench dependency). On the MCLP bench
CBC solved the reduced model several times faster than HiGHS with presolve on (bench/mclp.py); keep
both and measure. Usage: ``solve_mclp(problem, p, backend=solve_cbc)``.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.optim.highs import MilpModel
from bastion.algorithms.optim.highs import MilpSolution
from bastion.algorithms.optim.highs import check_time_limit
from bastion.algorithms.optim.highs import highs_from_model
from bastion.algorithms.optim.highs import relative_gap
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import SolverError

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def cbc_path() -> str:
    """Path of a cbc executable, or SolverError explaining how to get one."""
    exe = shutil.which("cbc")
    if exe:
        return exe
    try:
        import pulp  # noqa: PLC0415  (optional dependency, only for its bundled binary)

        with warnings.catch_warnings():  # PuLP 3 deprecates PULP_CBC_CMD; we only read its binary path
            warnings.simplefilter("ignore", DeprecationWarning)
            path = pulp.PULP_CBC_CMD().path
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise SolverError("CBC not found: install coinor-cbc (cbc on PATH) or PuLP, which bundles it") from exc
    if not path or not Path(path).exists():
        raise SolverError("CBC not found: PuLP has no bundled cbc for this platform; put cbc on PATH")
    return str(path)


def solve_cbc(
    model: MilpModel,
    time_limit_s: float | None = None,
    warm_start: FloatArray | None = None,
    *,
    threads: int = 1,
) -> MilpSolution:
    """Solve ``model`` (minimisation) with CBC; same contract as :func:`bastion.algorithms.optim.highs.solve`.

    warm_start is not passed to CBC (CBC finds the greedy-quality solutions itself on these models)."""
    check_time_limit(time_limit_s)
    if model.maximize:
        raise InvalidInput("solve_cbc takes minimisation models only; negate c instead of maximize=True",
                           field="model")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bastion-cbc-") as tmp:
        mps, sol = Path(tmp) / "model.mps", Path(tmp) / "solution.txt"
        highs_from_model(model).writeModel(str(mps))
        cmd = [cbc_path(), str(mps), "-ratioGap", "0", "-threads", str(int(threads))]
        if time_limit_s is not None:
            cmd += ["-sec", str(float(time_limit_s))]
        cmd += ["-solve", "-solution", str(sol)]
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if not sol.exists():
            raise SolverError(f"CBC produced no solution (exit {run.returncode}): {run.stdout[-400:]}")
        lines = sol.read_text().splitlines()
    head = lines[0] if lines else ""
    m = re.search(r"objective value\s+(\S+)", head)
    if head.startswith("Optimal"):
        status = "optimal"
    elif head.startswith("Stopped on time") and m and "no integer solution" not in head.lower():
        status = "time_limit"
    elif head.lower().startswith("infeasible"):
        raise Infeasible(f"model is infeasible (CBC: {head!r})")
    else:
        raise SolverError(f"CBC finished without a usable solution: {head!r}")
    x = np.zeros(model.n_cols)
    for line in lines[1:]:
        parts = line.split()
        if len(parts) >= 3 and parts[1].startswith("c") and parts[1][1:].isdigit():
            x[int(parts[1][1:])] = float(parts[2])
    obj = float(model.c @ x + model.offset)
    bound = obj
    if status != "optimal":
        lb = re.search(r"(?:Lower bound|best possible)[:\s]+(-?[\d.eE+-]+)", run.stdout)
        bound = float(lb.group(1)) if lb else -np.inf
    gap = relative_gap(obj, bound)
    runtime = time.perf_counter() - t0
    log.debug("CBC %dx%d: %s %.6g in %.3f s", model.n_rows, model.n_cols, status, obj, runtime)
    return MilpSolution(status, x, obj, bound, gap, runtime, "cbc")
