"""The vehicle domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("vehicle", routers=("bastion.vehicle.api",), jobs=("bastion.vehicle.jobs:KINDS",),
                  web_scripts=("vehicle.js", "vehicle_tools.js", "vehicle_table.js"), i18n=True, templates=True,
                  commands=(Cmd("vehicle", "bastion.vehicle.cli:app",
                                "Hostile-vehicle assessment: approach speeds and required barrier ratings."),))
