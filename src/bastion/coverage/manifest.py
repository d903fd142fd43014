"""The coverage domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("coverage", routers=("bastion.coverage.api",), web_scripts=("coverage.js",), i18n=True,
                  jobs=("bastion.coverage.jobs:KINDS",), commands=(
    Cmd("coverage", "bastion.coverage.cli:app",
        "Response coverage (1/3/5-minute rings) and placement of response units."),
))
