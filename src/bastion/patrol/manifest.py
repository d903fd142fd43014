"""The patrol domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='patrol',
    routers=('bastion.patrol.api',),
    commands=(
        CommandSpec('patrol', 'bastion.patrol.cli:app', 'Randomized patrol plans that an observer cannot predict.'),
    ),
    web_scripts=('patrol.js',),
    i18n=True,
)
