"""The posture domain as the platform sees it (names only: importing this is cheap)."""

from bastion.kernel.domain import CommandSpec as Cmd
from bastion.kernel.domain import DomainSpec

SPEC = DomainSpec("posture", routers=("bastion.posture.api",), commands=(
    Cmd("posture", "bastion.posture.cli:app",
        "Threat and response levels: propose, preview, approve (a second person), stand down, expiry check."),
), extends=(
    Cmd("office", "bastion.posture.cli:briefing_app", "briefing: the TLP-labelled lead-office briefing"),
), web_scripts=("posture.js",), i18n=True)
