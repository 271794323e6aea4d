"""The ``bridge`` command: database, configuration (and ``doctor``), helpdesk install,
failed items."""

from __future__ import annotations

from pathlib import Path

import click

from bridge import db, failed
from bridge.config import get_settings

ROOT = Path(__file__).resolve().parent


@click.group()
def main() -> None:
    """Operate the social-to-helpdesk bridge."""


@main.group("db")
def db_group() -> None:
    """Database schema (Alembic)."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (safe to run twice)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    command.upgrade(cfg, "head")
    click.echo(f"database is up to date: {db.normalise_url(get_settings().DATABASE_URL)}")


@main.command("check")
def check() -> None:
    """Say what is configured and what is still missing."""
    notes = get_settings().missing()
    for note in notes:
        click.echo(f"- {note}")
    if not notes:
        click.echo("configuration complete")


@main.command("doctor")
def doctor() -> None:
    """Check configuration, database, broker, the TOML file, the helpdesk's ticket fields
    and every mapping and rule field value against them; exit 1 when something is broken."""
    from bridge.doctor import run

    findings = run()
    for finding in findings:
        mark = "note" if finding.note else "ok  " if finding.ok else "FAIL"
        click.echo(f"{mark}  {finding.what}: {finding.detail}")
    broken = sum(not finding.ok for finding in findings)
    click.echo(f"{broken} problem(s) found" if broken else "nothing broken")
    if broken:
        raise SystemExit(1)


@main.group("zendesk")
def zendesk_group() -> None:
    """Zendesk set-up."""


@zendesk_group.command("install")
@click.option("--url", required=True, help="Public base URL of the bridge, e.g. https://bridge.example.com")
def zendesk_install(url: str) -> None:
    """Create the signed webhook and the trigger that calls it (safe to run twice)."""
    from bridge import registry
    from bridge.errors import BridgeError
    from bridge.settings_store import put
    from bridge.zendesk.install import install

    try:
        result = install(registry.helpdesk(), url.rstrip("/"))
    except BridgeError as exc:  # a wrong helpdesk, refused credentials: said, not a traceback
        raise click.ClickException(str(exc)) from exc
    with db.session() as s:
        put(s, "zendesk_webhook_secret", result.signing_secret)
    for what, ident, created in (("webhook", result.webhook_id, result.webhook_created),
                                 ("trigger", result.trigger_id, result.trigger_created)):
        click.echo(f"{what} {ident} ({'created' if created else 'already there'})")
    click.echo("the signing secret is stored in the database; /webhooks/zendesk uses it "
               "unless ZENDESK_WEBHOOK_SECRET is set")


@main.group("freshdesk")
def freshdesk_group() -> None:
    """Freshdesk set-up."""


@freshdesk_group.command("check")
def freshdesk_check() -> None:
    """Verify FRESHDESK_API_KEY / FRESHDESK_DOMAIN and list the ticket fields and values."""
    from bridge import registry
    from bridge.errors import BridgeError
    from bridge.freshdesk.check import check as check_freshdesk

    try:
        result = check_freshdesk(registry.helpdesk())
    except BridgeError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in result.lines():
        click.echo(line)


@main.group("failed")
def failed_group() -> None:
    """Messages and replies that gave up after their retries."""


@failed_group.command("list")
def failed_list() -> None:
    with db.session() as s:
        items = failed.list_failed(s)
    if not items:
        click.echo("no failed items")
    for it in items:
        since = it.since.isoformat(timespec="seconds") if it.since else "-"
        click.echo(f"{it.ref}\tconversation {it.conversation_id}\tattempts {it.attempts}\t"
                   f"{since}\t{it.error}")


@failed_group.command("replay")
@click.argument("refs", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every failed item")
def failed_replay(refs: tuple[str, ...], replay_all: bool) -> None:
    from bridge import tasks

    with db.session() as s:
        chosen = [i.ref for i in failed.list_failed(s)] if replay_all else list(refs)
        if not chosen:
            raise click.UsageError("give ids from `bridge failed list`, or --all")
        try:
            touched = failed.replay(s, chosen)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    tasks.enqueue(touched)
    click.echo(f"replaying {len(chosen)} item(s)")


@main.group("sla")
def sla_group() -> None:
    """SLA clocks and escalations."""


@sla_group.command("show")
@click.argument("ticket")
def sla_show(ticket: str) -> None:
    """Print a ticket's clocks, deadlines, and the steps done and to come."""
    from bridge.sla_report import report

    with db.session() as s:
        for line in report(s, ticket):
            click.echo(line)


@main.command("sweep")
def sweep_once() -> None:
    """Enqueue every due conversation now (what beat does every few seconds)."""
    from bridge import tasks

    click.echo(f"enqueued {tasks.sweep()} conversation(s)")
