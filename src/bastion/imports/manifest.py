"""The imports domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("imports", jobs=("bastion.imports.jobs:KINDS",), commands=(
    Cmd("import", "bastion.imports.cli:app", "Import OSM extracts and your own lists of key targets."),
))
