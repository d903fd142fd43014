"""What a domain tells the platform about itself: its routers, its commands, its web scripts.

Each domain folder has a `manifest.py` with one `SPEC = DomainSpec(...)`. The manifest holds only names (dotted
module paths and strings), so reading every manifest imports nothing heavy: the CLI can list its commands in a
few milliseconds and import a domain's code only when one of its commands runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class CommandSpec:
    """A top-level `bastion NAME` command group: `module:attr` is a `typer.Typer` (imported on first use)."""

    name: str
    target: str  # "bastion.sites.cli:app"
    help: str


@dataclass(frozen=True)
class DomainSpec:
    """One application domain as the platform sees it."""

    name: str
    routers: tuple[str, ...] = ()  # modules with a module-level `router: APIRouter`
    commands: tuple[CommandSpec, ...] = ()
    # commands this domain adds to another domain's group: CommandSpec(name=<group>, target=<a Typer app>)
    extends: tuple[CommandSpec, ...] = ()
    web_scripts: tuple[str, ...] = ()  # files in the domain's web/ folder, served under /static/
    i18n: bool = False  # the domain has i18n/{en,zh-CN}.json
    templates: bool = False  # the domain has templates/ (Jinja2, autoescaped)
    jobs: tuple[str, ...] = ()  # "module:attr" naming a tuple of kernel.jobs.JobKind (long work run as jobs)
    extra: dict[str, str] = field(default_factory=dict)
