"""The early-warning domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("warning", routers=("bastion.warning.api",), jobs=("bastion.warning.jobs:KINDS",),
                  web_scripts=("warning.js",), i18n=True, commands=(
    Cmd("warning", "bastion.warning.cli:app",
        "Aggregate early warning: import event counts, detect rises, recommend posture (never about persons)."),
))
