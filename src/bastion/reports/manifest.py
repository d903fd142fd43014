"""The reports domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("reports", routers=("bastion.reports.api",), templates=True, jobs=("bastion.reports.jobs:KINDS",),
                  commands=(
    Cmd("report", "bastion.reports.cli:report_app", "HTML/PDF risk reports per site and per region."),
))
