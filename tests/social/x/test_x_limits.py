"""X's length rules: the weighted count of posts (twitter-text v3) and the splitting of long
replies into ordered, numbered posts or DMs."""

from __future__ import annotations

import random
import re

import pytest

from bridge.social.x.limits import (
    DM_LIMIT,
    POST_LIMIT,
    split_dm,
    split_post,
    weighted_length,
)

# (text, weighted length as X counts it)
WEIGHTS = [
    ("hello", 5),
    ("Ünïcödé", 7),  # Latin with diacritics: 1 each
    ("e\u0301", 1),  # NFC makes one é
    ("Привет", 6),  # Cyrillic (below U+1100): 1 each
    ("日本語", 6),  # CJK: 2 each
    ("안녕", 4),  # Hangul syllables: 2 each
    ("😷", 2),
    ("👨\u200d👩\u200d👧", 2),  # a ZWJ family is one emoji
    ("🇦🇲", 2),  # a flag is one emoji
    ("👍🏽", 2),  # skin tone included
    ("\u2014\u2019", 2),  # general punctuation U+2000-U+206F ranges: 1 each
    ("https://example.com/a/very/long/path/that/goes/on/and/on?with=query", 23),
    ("http://a.co", 23),  # short URLs count 23 too
    ("visit example.com now", 6 + 23 + 4),  # URLs without a scheme are URLs
    ("1.5 apples", 10),  # not a URL
    ("@someone #tag $CASH", 19),
    ("a" * 280, 280),
]


@pytest.mark.parametrize(("text", "weight"), WEIGHTS)
def test_weighted_length(text: str, weight: int) -> None:
    assert weighted_length(text) == weight


def test_text_that_fits_is_one_unnumbered_post_unchanged() -> None:
    text = "  Thanks! 👍 We're on it.\n\nhttps://example.com/help/" + "x" * 400
    assert weighted_length(text) <= POST_LIMIT
    assert split_post(text) == [text]


def test_empty_reply_has_no_parts() -> None:
    assert split_post(" \n ") == [] and split_dm("") == []


def body_of(part: str) -> str:
    match = re.fullmatch(r"(\d+)/(\d+) (.*)", part, re.DOTALL)
    assert match is not None, part
    return match.group(3)


def test_long_reply_is_split_at_sentences_numbered_in_order() -> None:
    sentences = [f"Step {i}: unplug the router, wait ten seconds, plug it in." for i in range(12)]
    text = " ".join(sentences)
    parts = split_post(text)
    assert len(parts) == 3
    assert [p.split(" ", 1)[0] for p in parts] == ["1/3", "2/3", "3/3"]
    assert all(weighted_length(p) <= POST_LIMIT for p in parts)
    assert all(body_of(p).endswith("plug it in.") for p in parts)  # whole sentences
    assert " ".join(body_of(p) for p in parts) == text  # nothing lost, nothing reordered


def test_cjk_is_cut_between_characters_at_a_full_stop() -> None:
    text = "ご注文の商品は明日発送されます。" * 30
    parts = split_post(text)
    assert all(weighted_length(p) <= POST_LIMIT for p in parts)
    assert all(body_of(p).endswith("。") for p in parts)
    assert "".join(body_of(p) for p in parts) == text
    assert all(weighted_length(p) > POST_LIMIT * 0.8 for p in parts[:-1])  # no tiny parts


def test_links_count_23_so_long_urls_fit() -> None:
    url = "https://support.example.com/orders/4711/returns?token=" + "a" * 200
    assert weighted_length(" ".join([url] * 10)) == 10 * 23 + 9  # ten fit in one post
    text = " ".join([url] * 15)
    parts = split_post(text)
    assert len(parts) == 2
    assert all(weighted_length(p) <= POST_LIMIT for p in parts)
    assert all(url in body_of(p).split(" ") for p in parts)  # never cut inside a link


def test_emoji_and_flags_are_never_cut_in_half() -> None:
    text = "👨\u200d👩\u200d👧🇦🇲👍🏽" * 100
    parts = split_post(text)
    assert all(weighted_length(p) <= POST_LIMIT for p in parts)
    assert "".join(body_of(p) for p in parts) == text
    for part in parts:
        assert body_of(part).startswith("👨\u200d👩\u200d👧")


def test_ten_parts_or_more_still_fit_with_wider_numbers() -> None:
    text = " ".join(f"word{i}" for i in range(900))
    parts = split_post(text)
    assert len(parts) >= 10
    assert parts[0].startswith(f"1/{len(parts)} ") and parts[-1].startswith(f"{len(parts)}/")
    assert all(weighted_length(p) <= POST_LIMIT for p in parts)
    assert " ".join(body_of(p) for p in parts) == text


def test_a_word_longer_than_a_post_is_cut_inside() -> None:
    parts = split_post("a" * 700)
    assert [weighted_length(p) for p in parts] == [280, 280, 152]
    assert "".join(body_of(p) for p in parts) == "a" * 700


def test_dm_limit_is_10000_unnumbered() -> None:
    paragraph = "Please keep the receipt. " * 40 + "\n\n"
    text = paragraph * 12
    parts = split_dm(text)
    assert len(parts) == 2
    assert all(len(p) <= DM_LIMIT for p in parts)
    assert not parts[1].startswith("2/")
    assert parts[0].endswith("receipt.")  # cut at a paragraph
    assert parts[1].startswith("Please")
    assert " ".join(parts).split() == text.split()  # only whitespace at the cut is dropped


def test_the_ascii_shortcut_counts_as_twitter_text_does() -> None:
    from twitter_text import parse_tweet  # type: ignore[import-untyped]

    rng = random.Random(5)
    pieces = ["https://example.com/p?q=1", "foo.bar", "x.co", "a.b", "www.test.org/x", "hi",
              "\r\n", "\r", "\n", "t.co/abc", "1.5", "me@mail.com", "http://", ".com", "@u",
              "#tag", "$CASH", "   ", "end."]
    for _ in range(200):
        text = "".join(rng.choice(["", " "]) + rng.choice(pieces)
                       for _ in range(rng.randint(0, 40)))
        assert weighted_length(text) == parse_tweet(text).weightedLength, repr(text)
