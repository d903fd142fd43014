"""The preparedness domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("preparedness", routers=("bastion.preparedness.api",),
                  jobs=("bastion.preparedness.jobs:KINDS",), web_scripts=("preparedness.js",),
                  i18n=True, templates=True, commands=(
    Cmd("eplans", "bastion.preparedness.cli:plans_app",
        "Emergency plans per site and scenario: draft, edit, approve, completeness, printable plan."),
    Cmd("exercises", "bastion.preparedness.cli:exercises_app",
        "Exercise programme (HSEEP): calendar, iCalendar, injects, evaluation, after-action report."),
))
