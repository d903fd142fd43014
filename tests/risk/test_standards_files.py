from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.risk.standards_files import load_standard_file
from bastion.risk.standards_files import load_standards


def test_user_file_validated_the_same_way(tmp_path: Path) -> None:
    text = (resources.files("bastion.risk") / "standards" / "uk_ppa_2025.yaml").read_text(encoding="utf-8")
    (tmp_path / "local.yaml").write_text(text.replace("id: uk_ppa_2025", "id: local_variant"), encoding="utf-8")
    all_ = load_standards(tmp_path)
    assert set(all_) == {"uk_ppa_2025", "us_isc_fsl", "cn_key_target", "local_variant"}
    (tmp_path / "dup.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(Conflict, match="already loaded"):
        load_standards(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("measure: lockdown_procedure", "measure: moat"), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"broken.yaml: tiers\[0\].requirements\[2\].measure"):
        load_standard_file(broken)
    broken.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_standard_file(broken)
