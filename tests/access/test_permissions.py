"""The pure policy: hand-checked cases per role, and properties over random principals and resources."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.access.policy import ROLE_PERMISSIONS
from bastion.access.policy import Grant
from bastion.access.policy import Permission
from bastion.access.policy import Principal
from bastion.access.policy import Reach
from bastion.access.policy import Resource
from bastion.access.policy import Role
from bastion.access.policy import allows
from bastion.access.policy import check_grant
from bastion.access.policy import decide
from bastion.access.policy import scope
from bastion.kernel.errors import InvalidInput

P = Permission
A, B = 1, 2  # regions
X, Y = 10, 20  # agencies
SITE_AX = Resource(region_id=A, operator_agency_id=X)


def who(role: Role, region: int | None = A, agency: int | None = X) -> Principal:
    return Principal("user:t", 1, agency, (Grant(role, region),))


@pytest.mark.parametrize(("role", "perm", "resource", "status"), [
    (Role.COORDINATOR, P.SITE_EDIT, SITE_AX, 200),
    (Role.COORDINATOR, P.SITE_EDIT, Resource(region_id=B), 404),  # other jurisdiction: hidden
    (Role.ANALYST, P.SITE_SENSITIVE_READ, SITE_AX, 200),
    (Role.ANALYST, P.SITE_EDIT, SITE_AX, 403),  # sees it, may not edit
    (Role.VIEWER, P.SITE_READ, SITE_AX, 200),
    (Role.VIEWER, P.SITE_SENSITIVE_READ, SITE_AX, 403),
    (Role.AGENCY_MEMBER, P.SITE_EDIT, SITE_AX, 200),  # its agency operates it
    (Role.AGENCY_MEMBER, P.SITE_EDIT, Resource(region_id=A, operator_agency_id=Y), 403),  # read-only elsewhere
    (Role.AGENCY_MEMBER, P.TASK_WRITE, Resource(region_id=A, assigned_agency_ids=frozenset({X})), 200),  # assigned
    (Role.AGENCY_MEMBER, P.SITE_READ, Resource(region_id=B, operator_agency_id=X), 404),  # own agency, other region
    (Role.SITE_OPERATOR, P.SITE_READ, SITE_AX, 200),
    (Role.SITE_OPERATOR, P.SITE_READ, Resource(region_id=A, operator_agency_id=Y), 404),  # other operator's site
    (Role.SITE_OPERATOR, P.ANALYSIS_RUN, SITE_AX, 403),
    (Role.ADMIN, P.USER_ADMIN, None, 200),
    (Role.ADMIN, P.SITE_READ, SITE_AX, 404),
])
def test_hand_checked_decisions(role: Role, perm: Permission, resource: Resource | None, status: int) -> None:
    region = None if role is Role.ADMIN else A
    d = decide(who(role, region), perm, resource)
    assert (d.allowed, d.status) == (status == 200, status)


def test_route_level_check_is_anywhere() -> None:
    assert allows(who(Role.VIEWER, B), P.SITE_READ)  # holds it somewhere
    assert not allows(who(Role.VIEWER, B), P.SITE_EDIT)
    assert not allows(Principal("user:nobody"), P.REGION_READ)
    assert allows(Principal("cli:ops", superuser=True), P.USER_ADMIN, SITE_AX)


def test_admin_is_system_wide() -> None:
    with pytest.raises(InvalidInput, match="system-wide"):
        check_grant(Role.ADMIN, A)
    check_grant(Role.ADMIN, None)
    check_grant(Role.VIEWER, A)


def test_scope_for_lists() -> None:
    sc = scope(who(Role.SITE_OPERATOR, A, X), P.SITE_READ)
    assert sc.full_regions == frozenset() and sc.agency_regions == frozenset({A})
    assert sc.admits(A, X) and not sc.admits(A, Y) and not sc.admits(B, X)
    two = Principal("user:t", 1, X, (Grant(Role.VIEWER, A), Grant(Role.SITE_OPERATOR, B)))
    sc = scope(two, P.SITE_READ)
    assert sc.admits(A, None) and sc.admits(B, X) and not sc.admits(B, Y)
    assert scope(who(Role.COORDINATOR, None), P.SITE_READ).everything
    assert scope(Principal("user:none"), P.SITE_READ).nothing


def test_every_role_is_in_the_table_and_global_reach_only_for_admin_permissions() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    for role, perms in ROLE_PERMISSIONS.items():
        for p, reach in perms.items():
            assert (reach is Reach.GLOBAL) == (p in (P.USER_ADMIN, P.AUDIT_READ)), (role, p)


roles = st.sampled_from(list(Role))
regions = st.sampled_from([None, A, B])
agencies = st.sampled_from([None, X, Y])
principals = st.builds(lambda gs, ag: Principal("user:h", 1, ag, tuple(gs)),
                       st.lists(st.builds(Grant, roles, regions), max_size=3), agencies)
resources = st.builds(lambda r, ag, assigned: Resource(region_id=r, operator_agency_id=ag,
                                                       assigned_agency_ids=frozenset(assigned)),
                      st.sampled_from([A, B]), agencies, st.lists(st.sampled_from([X, Y]), max_size=2))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(principals, st.sampled_from(list(Permission)), resources)
def test_properties(p: Principal, perm: Permission, res: Resource) -> None:
    d = decide(p, perm, res)
    # a resource-level allow implies the route-level allow
    if d.allowed:
        assert allows(p, perm)
    # denials are 404 exactly when the principal cannot even see the resource
    if not d.allowed:
        assert d.status == (404 if not allows(p, res.visibility, res) else 403)
    # list scope agrees with decide for regional permissions
    if all(ROLE_PERMISSIONS[g.role].get(perm) is not Reach.GLOBAL for g in p.grants):
        sc = scope(p, perm)
        assert sc.admits(res.region_id, res.operator_agency_id, res.assigned_agency_ids) == d.allowed
    # adding a grant never removes access (monotone)
    more = Principal(p.actor, p.user_id, p.agency_id, (*p.grants, Grant(Role.VIEWER, B)))
    assert not d.allowed or decide(more, perm, res).allowed
