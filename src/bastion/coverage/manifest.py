"""The coverage domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name="coverage",
    routers=("bastion.coverage.api",),
    commands=(
        CommandSpec(
            "coverage",
            "bastion.coverage.cli:app",
            "Response coverage (1/3/5-minute rings) and placement of response units.",
        ),
    ),
    web_scripts=("coverage.js",),
    i18n=True,
)
