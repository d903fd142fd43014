"""The imports domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='imports',
    commands=(
        CommandSpec('import', 'bastion.imports.cli:app', 'Import OSM extracts and your own lists of key targets.'),
    ),
)
