"""The office domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("office")
