"""The supervision domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("supervision", routers=("bastion.supervision.api",), web_scripts=("supervision.js",), i18n=True,
                  commands=(
    Cmd("inspect", "bastion.supervision.cli:inspect_app",
        "Inspections: checklist from the site's tiers, answers, completion."),
    Cmd("tasks", "bastion.supervision.cli:tasks_app", "Rectification tasks: open → in_progress → fixed → verified."),
), extends=(
    Cmd("vehicle", "bastion.supervision.cli:vehicle_app",
        "vehicle tasks: unmet vehicle requirements as rectification tasks"),
))
