"""The incidents domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("incidents", routers=("bastion.incidents.api",), commands=(
    Cmd("incidents", "bastion.incidents.cli:incidents_app",
        "Incidents: M/ETHANE intake, timeline, unit status, dispatch, cordons, move-ups, warnings."),
), web_scripts=("incidents.js",), i18n=True, jobs=("bastion.incidents.jobs:KINDS",))
