"""The access domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("access", routers=("bastion.access.api", "bastion.access.admin_api",), web_scripts=("admin.js",),
                  i18n=True, commands=(
    Cmd("users", "bastion.access.cli:users_app", "User accounts and their roles."),
    Cmd("agencies", "bastion.access.cli:agencies_app", "Agencies users belong to."),
    Cmd("audit", "bastion.access.cli:audit_app", "The append-only audit trail."),
))
