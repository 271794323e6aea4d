"""Regular-expression conditions: where they run, and guards against runaway patterns.

A pattern is searched (``re.search``, case-insensitive) in the *normalised* text
(``text.normalise``: lower case, no diacritics, one space between words, digits of every
script as 0-9) and, failing that, in the text as written (NFC). So ``\\bcafe\\b`` finds
"Café", ``order #?\\d{5}`` finds "ORDER #١٢٣٤٥", and a pattern written with accents
("café") still finds the accented text.

Python's ``re`` has no timeout. Two guards instead: only the first ``MAX_CHARS`` characters
are searched (no social message is longer: X 280, Messenger 2,000, WhatsApp 4,096), and
``regex_risk`` refuses, before a rule is saved, the classic catastrophic shape: a group
holding an unbounded repeat that is itself repeated, such as ``(a+)+`` or ``(\\w*\\s?)*``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 10_000
_OPEN_REPEAT = re.compile(r"[*+]|\{\d*,\}")


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def regex_matches(pattern: str, normalised: str, raw: str) -> bool:
    """Whether ``pattern`` is found in the normalised or in the written text."""
    found = compiled(pattern)
    if found.search(normalised[:MAX_CHARS]):
        return True
    return found.search(unicodedata.normalize("NFC", raw[:MAX_CHARS])) is not None


def regex_risk(pattern: str) -> str | None:
    """Why ``pattern`` may backtrack for ever (a repeated group holding an unbounded
    repeat), or ``None``. A heuristic: it reads the pattern's text, not its meaning."""
    holds_repeat = [False]  # one entry per open group: does it hold an unbounded repeat?
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class, i = True, i + 1
            i += 1 if pattern[i:i + 1] == "^" else 0
            i += 1 if pattern[i:i + 1] == "]" else 0  # "[]...]": this "]" is a member
            continue
        elif char == "(":
            holds_repeat.append(False)
        elif char == ")" and len(holds_repeat) > 1:
            inner = holds_repeat.pop()
            if inner and _OPEN_REPEAT.match(pattern, i + 1):
                return (f"position {i}: a repeated group holds an unbounded repeat (like "
                        "(a+)+), which can take for ever on some texts")
            holds_repeat[-1] = holds_repeat[-1] or inner
        elif _OPEN_REPEAT.match(pattern, i):
            holds_repeat[-1] = True
        i += 1
    return None
