"""The pure access-control policy: permissions, roles, grants and `decide`.

No DB, HTTP or clock: plain values in, plain values out, so every rule is testable on its own.

A user holds *grants*: (role, region scope). A region scope of ``None`` means every region. Each role maps each
permission it carries to a *reach*:

- ``GLOBAL``: system permissions (user administration, the audit log); resources are not region-scoped.
- ``JURISDICTION``: the permission applies to every resource inside the grant's region scope.
- ``AGENCY``: the permission applies only to resources inside the grant's region scope that the user's agency
  operates (``operator_agency_id``) or is assigned to (``assigned_agency_ids``, passed by the service layer).

A denial carries the HTTP status an adapter should answer: 404 when the principal may not even see the resource
(so its existence does not leak), 403 otherwise.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from bastion.kernel.errors import InvalidInput


class Permission(enum.StrEnum):
    """What a request may do. Declared on every route with ``dependencies=[require(Permission.X)]``."""

    REGION_READ = "region:read"  # region names, boundaries, road networks
    SITE_READ = "site:read"  # basic site listing and details (public OSM facts, capacity)
    SITE_EDIT = "site:edit"  # capacity overrides, notes, operator agency
    SITE_SENSITIVE_READ = "site:sensitive_read"  # vulnerability findings, measure gaps, patrol schedules
    IMPORT_RUN = "import:run"  # import OSM extracts and site lists
    ANALYSIS_RUN = "analysis:run"  # run risk, coverage, patrol and vehicle analyses
    INSPECTION_WRITE = "inspection:write"  # record inspections and findings
    TASK_WRITE = "task:write"  # create and update remediation tasks
    PLAN_READ = "plan:read"  # read coverage/patrol plans
    PLAN_WRITE = "plan:write"  # save and publish plans
    USER_ADMIN = "user:admin"  # manage users, agencies, grants
    AUDIT_READ = "audit:read"  # read and export the audit log
    JOB_READ = "job:read"  # see one's own background jobs (a job's result keeps the scope of the work it did)
    INCIDENT_READ = "incident:read"  # incident board, timelines, situation reports (counts, never persons)
    INCIDENT_WRITE = "incident:write"  # log incidents and timeline entries, update response-unit status
    INCIDENT_COMMAND = "incident:command"  # dispatch, cordons, move-ups, approve public warnings, close incidents
    EPLAN_READ = "emergency_plan:read"  # site emergency plans (public protection procedures)
    EPLAN_WRITE = "emergency_plan:write"  # draft and edit emergency plans; record training counts
    EPLAN_APPROVE = "emergency_plan:approve"  # approve a plan version
    EXERCISE_WRITE = "exercise:write"  # exercise calendar, injects, evaluations, after-action reports
    OFFICE_WRITE = "office:write"  # responsibility rules, duties, supervision campaigns, escalation ladders
    BRIEFING_READ = "briefing:read"  # scorecards and lead-office briefings
    POSTURE_PROPOSE = "posture:propose"  # propose a threat/response level change and preview it
    POSTURE_APPROVE = "posture:approve"  # approve (apply) a posture change proposed by someone else
    WARNING_READ = "warning:read"  # aggregate early-warning series, alerts, backtests
    WARNING_IMPORT = "warning:import"  # import aggregate event data (GTD/ACLED-format CSV, manual counts)


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ANALYST = "analyst"
    AGENCY_MEMBER = "agency_member"
    SITE_OPERATOR = "site_operator"
    VIEWER = "viewer"


class Reach(enum.StrEnum):
    GLOBAL = "global"
    JURISDICTION = "jurisdiction"
    AGENCY = "agency"


P, R = Permission, Reach
_ALL_REGIONAL = {
    P.REGION_READ, P.SITE_READ, P.SITE_EDIT, P.SITE_SENSITIVE_READ, P.IMPORT_RUN, P.ANALYSIS_RUN,
    P.INSPECTION_WRITE, P.TASK_WRITE, P.PLAN_READ, P.PLAN_WRITE, P.JOB_READ,
    P.INCIDENT_READ, P.INCIDENT_WRITE, P.INCIDENT_COMMAND, P.EPLAN_READ, P.EPLAN_WRITE, P.EPLAN_APPROVE,
    P.EXERCISE_WRITE, P.OFFICE_WRITE, P.BRIEFING_READ, P.POSTURE_PROPOSE, P.POSTURE_APPROVE, P.WARNING_READ,
    P.WARNING_IMPORT,
}

ROLE_PERMISSIONS: Mapping[Role, Mapping[Permission, Reach]] = {
    # manages users, agencies and grants; reads the audit log; sees region names to grant them. No site data:
    # an administrator who also works on sites gets a second grant (e.g. coordinator).
    Role.ADMIN: {P.USER_ADMIN: R.GLOBAL, P.AUDIT_READ: R.GLOBAL, P.REGION_READ: R.JURISDICTION},
    # the lead counter-terrorism office: everything in its jurisdictions
    Role.COORDINATOR: {p: R.JURISDICTION for p in _ALL_REGIONAL},
    # reads (including sensitive findings) and runs analyses in its jurisdictions; writes nothing
    Role.ANALYST: {p: R.JURISDICTION for p in (P.REGION_READ, P.SITE_READ, P.SITE_SENSITIVE_READ, P.ANALYSIS_RUN,
                                                 P.PLAN_READ, P.JOB_READ, P.INCIDENT_READ, P.EPLAN_READ,
                                                 P.BRIEFING_READ, P.POSTURE_PROPOSE, P.WARNING_READ,
                                                 P.WARNING_IMPORT)},
    # police, fire, transport...: read-only in the jurisdiction, read/write what its agency owns or is assigned
    Role.AGENCY_MEMBER: {
        P.REGION_READ: R.JURISDICTION, P.SITE_READ: R.JURISDICTION, P.PLAN_READ: R.JURISDICTION,
        P.SITE_EDIT: R.AGENCY, P.SITE_SENSITIVE_READ: R.AGENCY, P.INSPECTION_WRITE: R.AGENCY, P.TASK_WRITE: R.AGENCY,
        P.JOB_READ: R.JURISDICTION, P.INCIDENT_READ: R.JURISDICTION, P.INCIDENT_WRITE: R.JURISDICTION,
        P.EPLAN_READ: R.AGENCY, P.EPLAN_WRITE: R.AGENCY, P.EXERCISE_WRITE: R.AGENCY,
    },
    # a venue's security manager: only the sites its agency operates
    Role.SITE_OPERATOR: {
        P.REGION_READ: R.JURISDICTION, P.SITE_READ: R.AGENCY, P.SITE_EDIT: R.AGENCY, P.SITE_SENSITIVE_READ: R.AGENCY,
        P.INSPECTION_WRITE: R.AGENCY, P.TASK_WRITE: R.AGENCY, P.JOB_READ: R.AGENCY,
        P.EPLAN_READ: R.AGENCY, P.EPLAN_WRITE: R.AGENCY, P.EXERCISE_WRITE: R.AGENCY,
    },
    # read-only basic listing in its jurisdictions
    Role.VIEWER: {P.REGION_READ: R.JURISDICTION, P.SITE_READ: R.JURISDICTION},
}
del P, R

GLOBAL_ROLES = frozenset(r for r, perms in ROLE_PERMISSIONS.items() if any(x is Reach.GLOBAL for x in perms.values()))


@dataclass(frozen=True)
class Grant:
    """A role held over one region (``region_id``) or every region (``None``)."""

    role: Role
    region_id: int | None = None


@dataclass(frozen=True)
class Principal:
    """Who is acting. ``actor`` is what the audit log records (``user:<login>``, ``cli:<os user>``)."""

    actor: str
    user_id: int | None = None
    agency_id: int | None = None
    grants: tuple[Grant, ...] = ()
    superuser: bool = False  # the local operator (CLI with direct database access): every permission

    def has_role(self, role: Role) -> bool:
        return self.superuser or any(g.role is role for g in self.grants)


@dataclass(frozen=True)
class Resource:
    """What a request touches. ``visibility`` is the permission that decides whether it may be seen at all."""

    region_id: int | None = None
    operator_agency_id: int | None = None
    assigned_agency_ids: frozenset[int] = field(default_factory=frozenset)
    visibility: Permission = Permission.SITE_READ

    def owned_by(self, agency_id: int | None) -> bool:
        return agency_id is not None and (agency_id == self.operator_agency_id or agency_id in self.assigned_agency_ids)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int  # 200 when allowed; 403 (forbidden) or 404 (hidden) when denied
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _grant_allows(principal: Principal, g: Grant, permission: Permission, resource: Resource | None) -> bool:
    reach = ROLE_PERMISSIONS[g.role].get(permission)
    if reach is None:
        return False
    if reach is Reach.GLOBAL or resource is None:
        return True
    if resource.region_id is not None and g.region_id is not None and g.region_id != resource.region_id:
        return False
    if reach is Reach.AGENCY:
        return resource.owned_by(principal.agency_id)
    return True


def allows(principal: Principal, permission: Permission, resource: Resource | None = None) -> bool:
    """True when some grant gives ``permission`` on ``resource`` (``None``: anywhere, the route-level check)."""
    if principal.superuser:
        return True
    return any(_grant_allows(principal, g, permission, resource) for g in principal.grants)


def decide(principal: Principal, permission: Permission, resource: Resource | None = None) -> Decision:
    """Allow or deny ``permission`` on ``resource``; a denial says whether to answer 403 or 404."""
    if allows(principal, permission, resource):
        return Decision(True, 200, "allowed")
    if resource is not None and not allows(principal, resource.visibility, resource):
        return Decision(False, 404, f"{permission.value} denied: resource outside the principal's scope")
    return Decision(False, 403, f"{permission.value} denied")


def independent(principal: Principal, resource: Resource) -> Decision:
    """Separation of duties: whoever inspects a site (starts, answers, completes an inspection, and so verifies its
    rectification tasks) must not belong to the agency that operates it. The local operator (CLI) is exempt."""
    if principal.superuser or resource.operator_agency_id is None or principal.agency_id != resource.operator_agency_id:
        return Decision(True, 200, "independent")
    return Decision(False, 403, "separation of duties: the site's own operator may not inspect it or verify its tasks")


@dataclass(frozen=True)
class Scope:
    """Where a permission reaches, for filtering lists: regions seen whole, and regions seen for the agency's own
    resources only. ``None`` for a set means every region."""

    full_regions: frozenset[int] | None
    agency_regions: frozenset[int] | None
    agency_id: int | None

    @property
    def everything(self) -> bool:
        return self.full_regions is None

    @property
    def nothing(self) -> bool:
        return (self.full_regions is not None and not self.full_regions
                and (self.agency_id is None or (self.agency_regions is not None and not self.agency_regions)))

    def admits(self, region_id: int, operator_agency_id: int | None = None,
               assigned: Iterable[int] = ()) -> bool:
        if self.full_regions is None or region_id in self.full_regions:
            return True
        if self.agency_id is None or not (self.agency_regions is None or region_id in self.agency_regions):
            return False
        return self.agency_id == operator_agency_id or self.agency_id in set(assigned)


def scope(principal: Principal, permission: Permission) -> Scope:
    """The regions (and agency-owned resources) where ``permission`` reaches, for list filters."""
    if principal.superuser:
        return Scope(None, None, principal.agency_id)
    full: set[int] | None = set()
    agency: set[int] | None = set()
    for g in principal.grants:
        reach = ROLE_PERMISSIONS[g.role].get(permission)
        if reach is None:
            continue
        if reach is Reach.GLOBAL or reach is Reach.JURISDICTION:
            if g.region_id is None:
                full = None
            elif full is not None:
                full.add(g.region_id)
        elif g.region_id is None:
            agency = None
        elif agency is not None:
            agency.add(g.region_id)
    return Scope(None if full is None else frozenset(full), None if agency is None else frozenset(agency),
                 principal.agency_id)


def permissions_of(principal: Principal) -> frozenset[Permission]:
    """Every permission the principal holds somewhere (for the UI to hide what it cannot do)."""
    if principal.superuser:
        return frozenset(Permission)
    return frozenset(p for g in principal.grants for p in ROLE_PERMISSIONS[g.role])


def check_grant(role: Role, region_id: int | None) -> None:
    """Administration is system-wide: an admin grant may not be limited to a region."""
    if role in GLOBAL_ROLES and region_id is not None:
        raise InvalidInput(f"role {role.value!r} is system-wide: grant it without a region", field="region")
