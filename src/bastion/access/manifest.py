"""The access domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='access',
    routers=('bastion.access.api', 'bastion.access.admin_api',),
    commands=(
        CommandSpec('users', 'bastion.access.cli:users_app', 'User accounts and their roles.'),
        CommandSpec('agencies', 'bastion.access.cli:agencies_app', 'Agencies users belong to.'),
        CommandSpec('audit', 'bastion.access.cli:audit_app', 'The append-only audit trail.'),
    ),
)
