from __future__ import annotations

import pytest

from bastion.algorithms.risk.standards import Standard
from bastion.risk.standards_files import load_builtin_standards


@pytest.fixture(scope="session")
def standards() -> dict[str, Standard]:
    return load_builtin_standards()
