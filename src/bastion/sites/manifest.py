"""The sites domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='sites',
    routers=('bastion.sites.api',),
    commands=(
        CommandSpec('sites', 'bastion.sites.cli:app', 'Key targets and crowded places.'),
        CommandSpec('regions', 'bastion.sites.cli:regions_app', 'Regions (jurisdictions).'),
    ),
    i18n=True,
)
