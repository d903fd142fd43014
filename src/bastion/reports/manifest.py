"""The reports domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='reports',
    routers=('bastion.reports.api',),
    commands=(
        CommandSpec('report', 'bastion.reports.cli:report_app', 'HTML/PDF risk reports per site and per region.'),
    ),
    templates=True,
)
