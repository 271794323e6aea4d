"""A mapping's transforms, applied in order to one source value.

Values keep their type until a text transform needs text: a follower count mapped with no
transform stays a number (for number fields), ``verified`` a boolean (checkboxes).
``lower``, ``upper``, ``lookup`` and ``truncate`` turn a value into text first (booleans as
``true``/``false``); ``None`` stays ``None`` for them, so a later ``default`` can fill it.

- ``lookup``: the exact key first, then a case-insensitive one; an unmatched value passes
  through unchanged, or becomes ``value`` when one is given as the fallback.
- ``default``: ``value`` when the input is empty (``None``, ``""``, an empty list).
- ``truncate``: at most ``length`` characters (code points), never cutting a letter from
  its accents, vowel or tone marks, nor an emoji from its modifiers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from bridge.rules.model import Transform

# Characters that belong to the character before them: combining marks (categories M*),
# zero-width joiner, variation selectors, emoji skin tones.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f") | {chr(c) for c in range(0x1F3FB, 0x1F400)}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(as_text(v) for v in value)
    return str(value)


def apply_transforms(value: Any, transforms: Sequence[Transform]) -> Any:
    for t in transforms:
        value = _APPLY[t.kind](value, t)
    return value


def _lower(value: Any, t: Transform) -> Any:
    return None if value is None else as_text(value).lower()


def _upper(value: Any, t: Transform) -> Any:
    return None if value is None else as_text(value).upper()


def _lookup(value: Any, t: Transform) -> Any:
    table = t.table or {}
    key = "" if value is None else as_text(value)
    if key in table:
        return table[key]
    folded = key.casefold()
    for candidate, mapped in table.items():
        if candidate.casefold() == folded:
            return mapped
    return t.value if t.value is not None else value


def _default(value: Any, t: Transform) -> Any:
    return t.value if is_empty(value) and t.value is not None else value


def _truncate(value: Any, t: Transform) -> Any:
    if value is None or t.length is None:
        return value
    return truncate(as_text(value), t.length)


def truncate(text: str, length: int) -> str:
    """``text`` cut to at most ``length`` characters at a character-cluster boundary."""
    if len(text) <= length:
        return text
    end = length
    while end > 0 and _belongs_to_previous(text[end]):
        end -= 1
    if end > 0 and text[end - 1] == "\u200d":
        end -= 1  # ends with a joiner: the joined emoji was cut off
    if _regional(text, end) and len(_flag_run(text[:end])) % 2:
        end -= 1  # a flag is two regional indicators: keep both or neither
    return text[:end]


def _regional(text: str, index: int) -> bool:
    return index < len(text) and "\U0001f1e6" <= text[index] <= "\U0001f1ff"


def _flag_run(text: str) -> str:
    """The regional indicators at the end of ``text``."""
    start = len(text)
    while start > 0 and _regional(text, start - 1):
        start -= 1
    return text[start:]


def _belongs_to_previous(char: str) -> bool:
    return unicodedata.category(char)[0] == "M" or char in _JOINERS


_APPLY: dict[str, Callable[[Any, Transform], Any]] = {
    "lower": _lower, "upper": _upper, "lookup": _lookup, "default": _default,
    "truncate": _truncate,
}
