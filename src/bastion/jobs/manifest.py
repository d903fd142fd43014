"""The jobs domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("jobs", routers=("bastion.jobs.api",), web_scripts=("jobs.js",), i18n=True, commands=(
    Cmd("jobs", "bastion.jobs.cli:app", "Background jobs: list, show, cancel, re-run."),
))
