"""X's length rules and the splitting of long replies.

Posts: 280 *weighted* characters, counted as twitter-text v3 counts them (X's own rules,
the conformance-tested port ``twitter-text-parser``): after NFC normalisation, Latin and
most scripts up to U+10FF weigh 1, CJK, other scripts and emoji 2, an emoji sequence (ZWJ
family, flag, skin tone) counts once as 2, and every URL, with or without ``https://``,
counts as 23 however long it is. The weighted length never undercounts what X counts; a
newer emoji than the library knows counts a little high, which only splits earlier.

DMs: 10,000 characters; counted in UTF-16 units, which is never less than X's count.

A reply that does not fit is cut at a paragraph, line, sentence or word boundary near the
limit, in order; posts are numbered "1/3 " so the thread reads in order on X.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from twitter_text import parse_tweet  # type: ignore[import-untyped]
from twitter_text.extract_urls import extract_urls_with_indices  # type: ignore[import-untyped]

from bridge.social.messenger.mapping import joins, split_text

POST_LIMIT = 280
DM_LIMIT = 10_000
URL_WEIGHT = 23

# Break points, best first: (pattern whose group 1 is where to cut, least share of the
# window the part must fill so that a split does not leave a tiny part).
_BREAKS = (
    (re.compile(r"(\n[ \t]*\n)"), 0.5),
    (re.compile(r"(\n)"), 0.5),
    (re.compile(r"[.!?…؟։।][\"'”’»)\]]*(\s)"), 0.5),
    (re.compile(r"[。！？][」』”’）)]*()"), 0.5),  # CJK sentences end without a space
    (re.compile(r"(\s)"), 0.5),
)
_ANY_SPACE = re.compile(r"(\s)")
_LINE_END = re.compile(r"\r\n|\r")


def weighted_length(text: str) -> int:
    """The length X counts for a post.

    ASCII text (most replies) takes a shortcut with the same result: every character
    weighs 1, a line ending counts once, and only URLs need finding; the full count (with
    its emoji scan) costs some 30 times more."""
    if text.isascii():
        plain = _LINE_END.sub("\n", text)
        urls = extract_urls_with_indices(plain)
        return len(plain) + sum(URL_WEIGHT - len(url["url"]) for url in urls)
    return int(parse_tweet(text).weightedLength)


def split_dm(text: str) -> list[str]:
    """A DM reply in parts of at most 10,000 characters, unnumbered."""
    return split_text(text, DM_LIMIT)


def split_post(text: str, limit: int = POST_LIMIT) -> list[str]:
    """A post reply in parts of at most ``limit`` weighted characters, numbered "i/n "
    when there is more than one part; text that fits is returned unchanged."""
    if not text.strip():
        return []
    if weighted_length(text) <= limit:
        return [text]
    estimate = weighted_length(text) // (limit - len("9/9 ")) + 1
    width = len(f"{estimate}/{estimate} ")
    while True:
        parts = split_by(text, _within(limit - width))
        label = len(f"{len(parts)}/{len(parts)} ")
        if label <= width:
            break
        width = label  # ten parts or more: the numbers take more room; split again
    return [f"{index}/{len(parts)} {part}" for index, part in enumerate(parts, 1)]


def _within(room: int) -> Callable[[str], bool]:
    return lambda part: weighted_length(part) <= room


def split_by(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` in parts that each satisfy ``fits``, cut at the best boundary.

    The whitespace at a cut is dropped; nothing else is. ``fits`` must accept any
    single character (one character is the smallest part).
    """
    parts: list[str] = []
    rest = text
    while rest.strip():
        fit = _longest_fit(rest, fits)
        if fit == len(rest):
            parts.append(rest)
            break
        cut = _cut(rest, fit, fits)
        head = rest[:cut].rstrip()
        if head:
            parts.append(head)
        rest = rest[cut:].lstrip()
    return parts


def _longest_fit(text: str, fits: Callable[[str], bool]) -> int:
    """A long prefix length that fits; ``len(text)`` when all of it does.

    Galloping, then binary search, so that only prefixes about a part long are measured
    (measuring is linear in the text). Weighted lengths are nearly monotonic in the prefix
    (a word turning into a URL can shrink it), so the answer fits but may be a few
    characters short of the longest."""
    lo, size = 1, 64
    while True:
        if size >= len(text):
            if fits(text):
                return len(text)
            hi = len(text)
            break
        if not fits(text[:size]):
            hi = size
            break
        lo, size = size, size * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid
    return lo


def _cut(text: str, fit: int, fits: Callable[[str], bool]) -> int:
    """Where to cut: the best boundary in the back half of the window; between wide (CJK)
    characters, which need no space; else the last space; else between characters."""
    window = text[:fit]
    for pattern, share in _BREAKS:
        cut = _last(pattern, window, fit * share, text, fits)
        if cut is not None:
            return cut
    if not _wide(text[fit - 1]) and not _wide(text[fit]):
        cut = _last(_ANY_SPACE, window, 0, text, fits)
        if cut is not None:
            return cut
    return _between_characters(text, fit)


def _last(pattern: re.Pattern[str], window: str, least: float, text: str,
          fits: Callable[[str], bool]) -> int | None:
    cuts = [m.start(1) for m in pattern.finditer(window)]
    if cuts and cuts[-1] > least and fits(text[:cuts[-1]].rstrip()):
        return cuts[-1]
    return None


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _between_characters(text: str, fit: int) -> int:
    cut = fit
    while cut > 1 and joins(text[cut - 1], text[cut]):
        cut -= 1
    if cut > 1 and _inside_flag(text, cut):
        cut -= 1
    return cut if cut > 1 else fit


def _inside_flag(text: str, cut: int) -> bool:
    """A flag is a pair of regional indicators: a cut after an odd run of them splits one."""
    run = 0
    while cut - run > 0 and _regional(text[cut - run - 1]):
        run += 1
    return run % 2 == 1 and _regional(text[cut])


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
