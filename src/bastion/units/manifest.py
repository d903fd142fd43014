"""The units domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='units',
    routers=('bastion.units.api',),
    commands=(
        CommandSpec('units', 'bastion.units.cli:units_app', 'Response units (teams, never named people).'),
    ),
)
