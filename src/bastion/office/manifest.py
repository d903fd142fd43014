"""The lead-office domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("office", routers=("bastion.office.api",), commands=(
    Cmd("office", "bastion.office.cli:app",
        "Lead office: responsibility rules, duties, campaigns, escalation, notifications, scorecards."),
), jobs=("bastion.office.jobs:KINDS",), web_scripts=("office.js",), i18n=True, templates=True)
