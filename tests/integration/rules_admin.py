"""What an admin does to the rules in the rules tests: save them (each checked against the
helpdesk's fields first, as the admin API does) and run ``bridge doctor``."""

from __future__ import annotations

from click.testing import CliRunner, Result

from bridge import db
from bridge.admin import store
from bridge.cli import main
from bridge.rules.model import Mapping, Rule


def save(*rules: Rule, mappings: tuple[Mapping, ...] = ()) -> None:
    """As the admin API saves them: each checked against the helpdesk's fields first."""
    with db.session() as s:
        for rule in rules:
            store.create_rule(s, rule, "test")
        for mapping in mappings:
            store.create_mapping(s, mapping, "test")


def doctor() -> Result:
    return CliRunner().invoke(main, ["doctor"], catch_exceptions=False)
