"""The regions domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec(
    name='regions',
)
