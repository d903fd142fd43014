"""The supervision domain's manifest (names only: importing it is cheap)."""

from bastion.kernel.domain import CommandSpec, DomainSpec

SPEC = DomainSpec(
    name='supervision',
    routers=('bastion.supervision.api',),
    commands=(
        CommandSpec('inspect', 'bastion.supervision.cli:inspect_app',
                    "Inspections: checklist from the site's tiers, answers, completion."),
        CommandSpec('tasks', 'bastion.supervision.cli:tasks_app',
                    'Rectification tasks: open → in_progress → fixed → verified.'),
    ),
    extends=(CommandSpec('vehicle', 'bastion.supervision.cli:vehicle_app',
                         'vehicle tasks: unmet vehicle requirements as rectification tasks'),),
)
