"""The sites domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("sites", routers=("bastion.sites.api",), web_scripts=("sites.js", "sites_table.js"), i18n=True,
                  commands=(
    Cmd("sites", "bastion.sites.cli:app", "Key targets and crowded places."),
    Cmd("regions", "bastion.sites.cli:regions_app", "Regions (jurisdictions)."),
))
