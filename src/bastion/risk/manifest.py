"""The risk domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='risk',
    routers=('bastion.risk.api',),
    commands=(
        CommandSpec('risk', 'bastion.risk.cli:risk_app',
                    'Tiers under three regimes, T×V×C risk, region ranking, budget portfolio.'),
        CommandSpec('measures', 'bastion.risk.cli:measures_app', 'Protective measures recorded per site.'),
        CommandSpec('threat-level', 'bastion.risk.cli:threat_app',
                    "A region's threat level (UK scale) and heightened protection level (China)."),
    ),
    web_scripts=('risk.js',),
    i18n=True,
)
