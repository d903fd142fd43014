"""The units domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("units", routers=("bastion.units.api",), commands=(
    Cmd("units", "bastion.units.cli:units_app", "Response units (teams, never named people)."),
))
