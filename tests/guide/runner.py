"""The guide's doc-test runner: every ```bash block of a guide page is executed, in order, on a fresh database.

Convention: ```bash blocks are executed; ```sh, ```nginx and ```text blocks are shown only (they need root, a
server or a long-running process). A page runs in its own fresh BASTION_DATA_DIR with the repository's root as
working directory, so the bundled extracts (data/osm/...) are at hand. Lines are commands; a trailing backslash
continues a line; `#` starts a comment. `export NAME=VALUE` sets a variable for the rest of the page;
`bastion ...` runs the CLI in this process (one import for the whole page); anything else runs under bash.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "docs" / "guide" / "pages"
FENCE = re.compile(r"^```(\w[\w-]*)?[^\n]*\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Command:
    page: str
    line: int
    text: str


def guide_pages(lang: str = "en") -> list[Path]:
    """The hand-written pages (the generated reference holds no executed blocks)."""
    out = []
    for p in sorted(PAGES.rglob("*.md")):
        if "reference" in p.relative_to(PAGES).parts and p.stem.split(".")[0] in ("cli", "api", "configuration",
                                                                                   "permissions"):
            continue
        is_zh = p.name.endswith(".zh.md")
        if (lang == "zh") == is_zh:
            out.append(p)
    return out


def blocks(path: Path, lang: str = "bash") -> list[tuple[int, str]]:
    """(first line number, body) of every fenced block tagged `lang`."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(2)) + 1, m.group(2)) for m in FENCE.finditer(text) if m.group(1) == lang]


def commands(path: Path) -> list[Command]:
    out = []
    rel = str(path.relative_to(PAGES))
    for first, body in blocks(path):
        pending = ""
        start = first
        for i, raw in enumerate(body.splitlines()):
            line = raw.rstrip()
            if not pending:
                start = first + i
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            full = (pending + line).strip()
            pending = ""
            if full and not full.startswith("#"):
                out.append(Command(rel, start, full))
    return out


def run_page(path: Path, data_dir: Path) -> list[tuple[Command, int, str]]:
    """Run every command of a page in order; returns (command, exit code, output) up to the first failure."""
    from typer.testing import CliRunner

    from bastion.platform.cli import app

    env = {"BASTION_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    base = {k: v for k, v in os.environ.items() if not k.startswith("BASTION_")}
    runner = CliRunner()
    done: list[tuple[Command, int, str]] = []
    for cmd in commands(path):
        text = _expand(cmd.text, env)
        if text.startswith("export "):
            name, _, value = text[len("export "):].partition("=")
            env[name.strip()] = " ".join(shlex.split(value)) if value else ""
            done.append((cmd, 0, ""))
            continue
        if text.startswith("bastion "):
            args = shlex.split(text, comments=True)[1:]
            result = runner.invoke(app, args, env={**{k: None for k in os.environ if k.startswith("BASTION_")},
                                                    **env}, catch_exceptions=True)
            output = result.output
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                output += f"\n{type(result.exception).__name__}: {result.exception}"
            done.append((cmd, result.exit_code, output))
        else:
            proc = subprocess.run(["bash", "-e", "-c", text], cwd=ROOT, env={**base, **env}, capture_output=True,
                                  text=True, timeout=120, check=False)
            done.append((cmd, proc.returncode, proc.stdout + proc.stderr))
        if done[-1][1] != 0:
            break
    return done


def _expand(text: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Z_][A-Z0-9_]*)\}?", lambda m: env.get(m.group(1), os.environ.get(m.group(1), "")), text)
