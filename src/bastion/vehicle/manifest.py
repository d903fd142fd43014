"""The vehicle domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name="vehicle",
    routers=("bastion.vehicle.api",),
    commands=(
        CommandSpec(
            "vehicle",
            "bastion.vehicle.cli:app",
            "Hostile-vehicle assessment: approach speeds and required barrier ratings.",
        ),
    ),
    web_scripts=("vehicle.js",),
    i18n=True,
    templates=True,
)
