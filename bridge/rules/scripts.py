"""Which script a character belongs to, and what that means for matching words.

The standard library has no Unicode script property, but every letter's name starts with
its script ("ARABIC LETTER YEH", "THAI CHARACTER KO KAI", "CJK UNIFIED IDEOGRAPH-4E00"),
which is all the rules need: tell scripts that separate words with spaces from those
that do not, and find the dominant script of a mixed text.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

# Scripts written without spaces between words (scriptio continua): a keyword matches
# anywhere in the text. Hangul separates words with spaces but glues particles to them
# ("주문이" is "order" + subject particle), so whole words would miss most mentions.
CONTINUOUS = frozenset({
    "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN", "CJK", "HIRAGANA", "KATAKANA", "HANGUL",
    "IDEOGRAPHIC", "BOPOMOFO", "YI",
})

# Scripts whose combining marks are diacritics a writer may or may not type (Latin
# accents, Arabic harakat, Hebrew niqqud...). Elsewhere (Thai, Devanagari...) marks are
# vowels and tones that belong to the spelling, and stay.
DIACRITIC_SCRIPTS = frozenset({
    "LATIN", "GREEK", "CYRILLIC", "ARABIC", "HEBREW", "ARMENIAN", "SYRIAC", "GEORGIAN",
})

# Japanese mixes three scripts in one sentence; for "which script dominates" they count
# as one.
_FAMILY = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "IDEOGRAPHIC": "CJK"}


@lru_cache(maxsize=8192)
def script_of(char: str) -> str:
    """The script name of one character ("LATIN", "ARABIC", "THAI"...), "" when unnamed.

    Only meaningful for letters, marks and digits; punctuation names start with words such
    as "COMMA" or "FULL".
    """
    name = unicodedata.name(char, "")
    if name.startswith(("ARABIC-INDIC", "EXTENDED ARABIC-INDIC")):
        return "ARABIC"
    if name.startswith(("FULLWIDTH", "HALFWIDTH")):
        name = name.split(" ", 1)[1] if " " in name else name
    return name.split(" ", 1)[0].split("-", 1)[0]


def is_word_char(char: str) -> bool:
    """Letters, combining marks and digits make words; everything else separates them."""
    return unicodedata.category(char)[0] in "LMN"


def is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


def needs_boundary(char: str) -> bool:
    """Whether a keyword edge at this character must meet a word boundary in the text."""
    return is_word_char(char) and script_of(char) not in CONTINUOUS


def dominant_script(text: str) -> str | None:
    """The script family with the most letters, or ``None`` when there are no letters."""
    counts: Counter[str] = Counter()
    for char in text:
        if unicodedata.category(char)[0] == "L":
            script = script_of(char)
            counts[_FAMILY.get(script, script)] += 1
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def in_family(char: str, family: str) -> bool:
    script = script_of(char)
    return _FAMILY.get(script, script) == family


def letter_count(text: str) -> int:
    return sum(1 for char in text if unicodedata.category(char)[0] == "L")
