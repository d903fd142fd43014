"""`bastion users`, `bastion agencies` and `bastion audit`. The CLI is the local operator (it has database
access); its writes are audited with the actor `cli:<os user>`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from bastion.access.models import AGENCY_KINDS
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_items
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from bastion.access.service import Actor

users_app = typer.Typer(help="User accounts and their roles.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies users belong to.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit trail.", no_args_is_help=True)


LOGIN = typer.Argument(..., help="The user's login name.")


def cli_actor() -> Actor:
    from bastion.access.service import Actor
    from bastion.kernel.cli import cli_actor_name

    return Actor(cli_actor_name(), "local")


def _password(password_env: str | None, prompt: str) -> str:
    """From an environment variable (scripts) or an interactive prompt — never a command-line argument."""
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise InvalidInput(f"environment variable {password_env} is not set", field="password-env")
        return value
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@agencies_app.command("create")
@handle_errors
def agencies_create(
    name: str = typer.Argument(..., help="Agency name, e.g. 'Police HQ'."),
    kind: str = typer.Option(..., "--kind", help=f"One of: {', '.join(AGENCY_KINDS)}."),
) -> None:
    """Create an agency."""
    from bastion.access import service as accounts

    a = accounts.create_agency(session_factory(), name, kind, actor=cli_actor())
    console.print(f"agency {a.id} {a.name!r} ({a.kind}) created")


@agencies_app.command("list")
@handle_errors
def agencies_list(as_json: bool = json_option()) -> None:
    """List agencies."""
    from bastion.access import service as accounts

    with session_factory()() as s:
        found = accounts.list_agencies(s)
    if as_json:
        print_items([{"id": a.id, "name": a.name, "kind": a.kind} for a in found])
        return
    t = Table("id", "name", "kind")
    for a in found:
        t.add_row(str(a.id), a.name, a.kind)
    console.print(t)


@users_app.command("create")
@handle_errors
def users_create(
    login: str = typer.Argument(..., help="Login name (lower-case letters, digits, . _ -)."),
    agency: str = typer.Option(..., "--agency", help="Agency name or id."),
    display_name: str | None = typer.Option(None, "--name", help="Display name (a role title is fine)."),
    role: str | None = typer.Option(None, "--role", help="Grant this role right away."),
    region: str | None = region_option(None, help="Region name or id of that role (default: every region)."),
    password_env: str | None = typer.Option(None, "--password-env", help="Read the password from this "
                                            "environment variable instead of prompting."),
) -> None:
    """Create a user (the password is prompted for, or read from --password-env)."""
    from bastion.access import service as accounts

    sf = session_factory()
    pw = _password(password_env, "password")
    u = accounts.create_user(sf, login, display_name or login, agency, pw, actor=cli_actor())
    if role:
        u = accounts.grant(sf, u.login, role, region, actor=cli_actor())
    console.print(f"user {u.id} {u.login!r} created in {u.agency_name}"
                  + (f" with role {role}" + (f" over {region}" if region else " over every region") if role else ""))


@users_app.command("list")
@handle_errors
def users_list(as_json: bool = json_option()) -> None:
    """List users, their agency, status and grants (grant ids with --json)."""
    from bastion.access import service as accounts

    with session_factory()() as s:
        found = accounts.list_users(s)
    if as_json:
        print_items([{"id": u.id, "login": u.login, "name": u.display_name, "agency": u.agency_name,
                      "status": u.status, "locked": u.locked,
                      "grants": [{"id": g.id, "role": g.role, "region_id": g.region_id, "region": g.region_name}
                                 for g in u.grants]} for u in found])
        return
    t = Table("id", "login", "name", "agency", "status", "grants")
    for u in found:
        grants = ", ".join(f"{g.role}@{g.region_name or 'all'}" for g in u.grants) or "—"
        t.add_row(str(u.id), u.login, u.display_name, u.agency_name, u.status + (" (locked)" if u.locked else ""),
                  grants)
    console.print(t)


@users_app.command("disable")
@handle_errors
def users_disable(login: str = LOGIN) -> None:
    """Disable a user: every session and API token of theirs is revoked."""
    from bastion.access import service as accounts

    accounts.set_status(session_factory(), login, "disabled", actor=cli_actor())
    console.print(f"user {login!r} disabled; sessions and tokens revoked")


@users_app.command("enable")
@handle_errors
def users_enable(login: str = LOGIN) -> None:
    """Re-enable a user (also clears a lockout)."""
    from bastion.access import service as accounts

    accounts.set_status(session_factory(), login, "active", actor=cli_actor())
    console.print(f"user {login!r} enabled")


@users_app.command("set-password")
@handle_errors
def users_set_password(
    login: str = LOGIN,
    password_env: str | None = typer.Option(None, "--password-env", help="Read it from this environment variable."),
) -> None:
    """Set a user's password: their sessions and API tokens are revoked."""
    from bastion.access import service as accounts

    pw = _password(password_env, "new password")
    accounts.set_password(session_factory(), login, pw, actor=cli_actor())
    console.print(f"password of {login!r} set; their sessions and API tokens were revoked")


@users_app.command("grant")
@handle_errors
def users_grant(
    login: str = LOGIN,
    role: str = typer.Argument(..., help="admin, coordinator, analyst, agency_member, site_operator or viewer."),
    region: str | None = region_option(None, help="Region name or id (default: every region)."),
) -> None:
    """Give a user a role over a region (or every region)."""
    from bastion.access import service as accounts

    u = accounts.grant(session_factory(), login, role, region, actor=cli_actor())
    console.print(f"{u.login}: " + ", ".join(f"{g.role}@{g.region_name or 'all'}" for g in u.grants))


@users_app.command("revoke")
@handle_errors
def users_revoke(login: str = LOGIN, grant_id: int = typer.Argument(..., help="Grant id "
                                                                                    "(see `users list --json`).")) -> None:
    """Remove one of a user's grants."""
    from bastion.access import service as accounts

    accounts.revoke_grant(session_factory(), login, grant_id, actor=cli_actor())
    console.print(f"grant {grant_id} of {login!r} removed")


@audit_app.command("verify")
@handle_errors
def audit_verify(
    anchor_file: Path | None = typer.Option(None, "--anchor", help="An anchor written by `bastion audit anchor`: "
                                            "also prove the chain still holds the anchored head (detects rewrite, "
                                            "truncation and wipe)."),
) -> None:
    """Check the keyed hash chain; names the first broken link. Exit code 1 when the chain is broken."""
    from bastion.access import audit

    anchor = None
    if anchor_file is not None:
        try:
            anchor = json.loads(anchor_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"cannot read anchor file {str(anchor_file)!r}: {exc}", field="anchor") from exc
    with session_factory()() as s:
        r = audit.verify(s) if anchor is None else audit.verify_anchor(s, anchor)
    if r.ok:
        console.print(f"audit chain intact: {r.checked} records" + (f"; {r.reason}" if r.reason else ""),
                      highlight=False)
        return
    if r.unsealed:
        console.print(f"[bold red]audit chain not sealed[/]: {r.reason}", highlight=False)
        raise typer.Exit(1)
    console.print(f"[bold red]audit chain broken[/] after {r.checked} good records: {r.reason}", highlight=False)
    raise typer.Exit(1)


@audit_app.command("seal")
@handle_errors
def audit_seal() -> None:
    """Check a chain written before keyed hashing (plain SHA-256) and seal it under the audit key."""
    from bastion.access import audit

    r = audit.seal(session_factory(), actor=cli_actor().name)
    if not r.sealed:
        console.print("audit chain already keyed: nothing to seal")
        return
    state = "its links were intact" if r.legacy_ok else f"it was BROKEN ({r.reason}); this is recorded"
    console.print(f"sealed {r.legacy_records} legacy audit records under the audit key; {state}", highlight=False)


@audit_app.command("anchor")
@handle_errors
def audit_anchor(
    out: Path | None = typer.Option(None, "--out", help="Write the anchor to this file (default: print it)."),
) -> None:
    """Print or export the signed head of the chain (count + hash + time, HMAC-signed): keep it outside this
    database and server; `bastion audit verify --anchor FILE` later proves nothing before it was changed."""
    from bastion.access import audit

    with session_factory()() as s:
        a = audit.anchor(s)
    text = json.dumps(a, indent=1) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    if not out.parent.is_dir():
        raise InvalidInput(f"folder {str(out.parent)!r} does not exist", field="out")
    out.write_text(text, encoding="utf-8")
    console.print(f"anchor of {a['count']} audit records written to {out}: keep a copy away from this server",
                  highlight=False)


@audit_app.command("export")
@handle_errors
def audit_export(
    out: Path | None = typer.Argument(None, help="Output file (default: standard output)."),
    fmt: str = typer.Option("json", "--format", help="csv or json."),
) -> None:
    """Export the audit log (with hashes, so a copy can be verified elsewhere)."""
    from bastion.access import audit

    if out is not None and not out.parent.is_dir():
        raise InvalidInput(f"folder {str(out.parent)!r} does not exist", field="out")
    with session_factory()() as s:
        text = audit.export(s, fmt)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    n = len(json.loads(text)) if fmt == "json" else max(0, len(text.splitlines()) - 1)
    console.print(f"wrote {n} audit records to {out}")
