"""The patrol domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("patrol", routers=("bastion.patrol.api",), web_scripts=("patrol.js",), i18n=True,
                  jobs=("bastion.patrol.jobs:KINDS",), commands=(
    Cmd("patrol", "bastion.patrol.cli:app", "Randomized patrol plans that an observer cannot predict."),
))
