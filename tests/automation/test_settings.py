"""The ``[automation]`` TOML section: defaults, lookups, and errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.automation.settings import load_automation_settings, parse_automation_settings
from bridge.automation.texts import DEFAULTS, ack_values
from bridge.errors import ConfigError
from bridge.sla.calendar import BusinessCalendar, Calendar24x7

FULL = """
[automation]
language = "FR"

[automation.acknowledgement]
delay = "30s"
reply_within = "2h"
channels = ["messenger"]
text.fr.open = "Ticket {ticket} : réponse en {first_reply}."
text.en.open = "Ticket {ticket}: we answer within {first_reply}."
text.en.away = "Away until {next_open}."
channel_text.whatsapp.fr.open = "WhatsApp {ticket}"

[automation.checkin]
after = "2d"
text.de = "Alles gut mit {ticket}?"

[automation.csat]
enabled = false
good_tag = "happy"
field = 360000000001
"""


def test_no_file_means_every_job_is_off(tmp_path: Path) -> None:
    for conf in (load_automation_settings(None), parse_automation_settings({})):
        assert conf.language == "en"
        assert all(conf.job(kind, "messenger") is None for kind in DEFAULTS)
        assert conf.jobs["checkin"].wait == timedelta(days=3)
        assert (conf.csat_good_tag, conf.csat_bad_tag, conf.csat_field) == (
            "csat_good", "csat_bad", None)


def test_sections_turn_jobs_on_with_their_timing_and_texts(tmp_path: Path) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text(FULL, encoding="utf-8")
    conf = load_automation_settings(path)
    ack = conf.job("acknowledgement", "messenger")
    assert ack is not None and ack.wait == timedelta(seconds=30)
    assert conf.job("acknowledgement", "whatsapp") is None  # not one of its channels
    assert conf.reply_within == timedelta(hours=2)
    checkin = conf.job("checkin", "instagram")
    assert checkin is not None and checkin.wait == timedelta(days=2)
    assert conf.job("csat", "messenger") is None
    assert (conf.csat_good_tag, conf.csat_bad_tag, conf.csat_field) == (
        "happy", "csat_bad", "360000000001")
    assert conf.language == "fr"
    # (kind, name, channel, language) -> the template chosen
    fr, en = "Ticket {ticket} : réponse en {first_reply}.", "Ticket {ticket}: we answer within "
    en += "{first_reply}."
    cases = [
        ("acknowledgement", "open", "messenger", None, fr),
        ("acknowledgement", "open", "messenger", "EN", en),
        ("acknowledgement", "away", "messenger", "fr", "Away until {next_open}."),  # no fr away
        ("acknowledgement", "open", "whatsapp", "en", en),  # the language first
        ("acknowledgement", "open", "whatsapp", "fr", "WhatsApp {ticket}"),  # channel first
        ("checkin", "message", "messenger", "de", "Alles gut mit {ticket}?"),
        ("checkin", "message", "messenger", "it", DEFAULTS["checkin"]["message"]),
    ]
    for kind, name, channel, lang, expected in cases:
        got = conf.jobs[kind].texts.template(name, channel, lang and lang.lower(), conf.language)
        assert got == expected, (kind, name, channel, lang)


@pytest.mark.parametrize(("toml", "error"), [
    ('[automation]\nlanguag = "en"', "automation.languag: unknown field"),
    ('[automation]\nlanguage = "english!"', "automation.language: 'english!' is not a language"),
    ('[automation.checkin]\nafter = "3 days"', "checkin.after: '3 days' is not a duration"),
    ('[automation.checkin]\ndelay = "3d"', "automation.checkin.delay: unknown field"),
    ('[automation.checkin]\ntext.en = "Hi {name}"', "unknown placeholder {name}; use {ticket}"),
    ('[automation.acknowledgement]\ntext.en = "Hi"', "automation.acknowledgement.text.en: give a "
                                                     "table with open, away"),
    ('[automation.acknowledgement]\ntext.en.opn = "Hi"', "text.en.opn: unknown field"),
    ('[automation.csat]\ntext.en.good = "{ticket}"', "unknown placeholder {ticket}; use no "
                                                     "placeholders"),
    ('[automation.csat]\ngood_tag = "very good"', "automation.csat.good_tag: 'very good' is not"),
    ('[automation.keepalive]\nenabled = "yes"', "automation.keepalive.enabled: expected true"),
    ('[automation.keepalive]\nchannels = ["fax"]', "'fax' is not one of messenger"),
    ('[automation.on_solved]\ntext.en = "Done {ticket"', "not a valid template"),
    ('[automation.on_solved]\nchannel_text.fax.en = "x"', "channel_text.fax: unknown field"),
])
def test_errors_name_the_file_and_field(tmp_path: Path, toml: str, error: str) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_automation_settings(path)
    assert str(info.value).startswith(f"{path}: ")
    assert error in str(info.value)


PARIS = BusinessCalendar("Europe/Paris", {d: [(datetime(2000, 1, 1, 9).time(),
                                              datetime(2000, 1, 1, 17).time())]
                                          for d in range(5)}, name="paris")


@pytest.mark.parametrize(("now", "next_open"), [
    (datetime(2026, 11, 20, 6, 0, tzinfo=UTC), "09:00 CET"),  # later the same local day
    (datetime(2026, 11, 20, 20, 0, tzinfo=UTC), "2026-11-23 09:00 CET"),
    (datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "2026-11-23 09:00 CET"),  # Saturday in Paris
    (datetime(2026, 7, 1, 5, 0, tzinfo=UTC), "09:00 CEST"),
])
def test_next_open_is_shown_in_the_calendars_zone(now: datetime, next_open: str) -> None:
    values = ack_values("42", PARIS, now, timedelta(hours=4))
    assert values["next_open"] == next_open
    assert values["first_reply"] == "4h" and values["ticket"] == "42"
    assert values["timezone"] == next_open.split()[-1]


def test_a_24x7_calendar_is_always_open() -> None:
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    assert ack_values("1", Calendar24x7(), now, timedelta(hours=1))["next_open"] == "03:00 UTC"
