"""The batch domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("batch", commands=(
    Cmd("batch", "bastion.batch.cli:app", "Run import, risk, coverage, vehicle and patrol over many regions on Dask."),
))
