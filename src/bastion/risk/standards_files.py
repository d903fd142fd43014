"""Load protection standards from YAML: the built-in package data and user-added files.

Every file is validated by ``bastion.algorithms.risk.standards.parse_standard``; errors name the file and the
key path.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import yaml

from bastion.algorithms.risk.standards import Standard
from bastion.algorithms.risk.standards import parse_standard
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

BUILTIN_IDS = ("uk_ppa_2025", "us_isc_fsl", "cn_key_target")


def parse_standard_text(text: str, *, where: str = "standard") -> Standard:
    """Parse YAML text into a validated ``Standard``."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        msg = f"{where}: not valid YAML ({exc}); fix the syntax"
        raise InvalidInput(msg, field="file") from exc
    return parse_standard(doc, where=where)


def load_standard_file(path: str | Path) -> Standard:
    """Read and validate one standards file (UTF-8 YAML)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"path {str(p)!r} cannot be read ({exc.strerror}); give an existing standards YAML file"
        raise InvalidInput(msg, field="path") from exc
    return parse_standard_text(text, where=p.name)


def load_builtin_standards() -> dict[str, Standard]:
    """The standards shipped in ``bastion/standards/*.yaml``, keyed by id."""
    root = resources.files("bastion.risk") / "standards"
    out: dict[str, Standard] = {}
    for sid in BUILTIN_IDS:
        std = parse_standard_text((root / f"{sid}.yaml").read_text(encoding="utf-8"), where=f"{sid}.yaml")
        out[std.id] = std
    log.debug("loaded %d built-in standards", len(out))
    return out


def load_standards(*extra_paths: str | Path) -> dict[str, Standard]:
    """Built-in standards plus user files (each a file or a directory of ``*.yaml``); ids must be unique."""
    out = load_builtin_standards()
    files: list[Path] = []
    for p in map(Path, extra_paths):
        files.extend(sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")) if p.is_dir() else [p])
    for f in files:
        std = load_standard_file(f)
        if std.id in out:
            msg = f"{f.name}: standard id {std.id!r} is already loaded; give the file a unique id"
            raise Conflict(msg)
        out[std.id] = std
    return out
