"""The risk domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("risk", routers=("bastion.risk.api",), jobs=("bastion.risk.jobs:KINDS",),
                  web_scripts=("risk.js", "risk_workspace.js"), i18n=True, commands=(
    Cmd("risk", "bastion.risk.cli:risk_app",
        "Tiers under three regimes, T×V×C risk, region ranking, budget portfolio."),
    Cmd("measures", "bastion.risk.cli:measures_app", "Protective measures recorded per site."),
    Cmd("threat-level", "bastion.risk.cli:threat_app",
        "A region's threat level (UK scale) and heightened protection level (China)."),
))
