"""Text normalisation and keyword matching that work in every script.

``normalise`` makes the two spellings a customer and an admin may use equal:

1. NFKC (full-width letters, ligatures such as Armenian "և" → "եւ", presentation forms);
2. ``casefold`` (also "ß" → "ss", Armenian and Greek cases); Armenian "եւ" (the lower-case
   "և") becomes "եվ", as its capitals are written ("ԲԱՐԵՎ" is "բարև");
3. diacritics removed: combining marks after a letter of a script where they are optional
   (Latin accents, Arabic harakat, Hebrew niqqud; see ``scripts.DIACRITIC_SCRIPTS``).
   Thai, Devanagari and other scripts keep their marks: there they are vowels and tones;
4. invisible format characters dropped (ZWNJ in Persian words, bidi marks, soft hyphen),
   Arabic tatweel and Armenian in-word marks (the "՞" of "ինչո՞ւ") removed;
5. letter variants unified: Persian ی/Arabic ي/ى, Persian ک/Arabic ك, ة/ه, ٱ/ا;
   digits of every script become 0-9; typographic apostrophes become "'";
6. runs of white space become one space.

``contains_keyword`` finds a normalised keyword as a whole word where the script
separates words, as a substring where it does not (Thai, Lao, Khmer, Myanmar, CJK,
Hangul), and never splits a character from its marks. Arabic and Hebrew write
prepositions, conjunctions and the article as prefixes of the next word ("والطلب",
"והמשלוח"), so a keyword of at least three letters also matches after those prefixes.
A keyword of several words matches them as a phrase, in order, separated by spaces.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from bridge.rules.scripts import (
    DIACRITIC_SCRIPTS,
    is_mark,
    is_word_char,
    needs_boundary,
    script_of,
)

_UNIFY = str.maketrans({
    "\u06cc": "\u064a",  # Persian yeh ی → Arabic yeh ي
    "\u0649": "\u064a",  # alef maksura ى → ي
    "\u06a9": "\u0643",  # Persian keheh ک → Arabic kaf ك
    "\u0629": "\u0647",  # teh marbuta ة → heh ه (written either way in informal Arabic)
    "\u06c0": "\u0647",  # heh with yeh above ۀ → ه
    "\u06d5": "\u0647",  # ae ە → ه
    "\u0671": "\u0627",  # alef wasla ٱ → ا
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u055a": "'",  # apostrophes
})
# Removed outright: tatweel (a stretch, not a letter) and Armenian marks written *inside*
# a word over its stressed vowel (emphasis ՛, exclamation ՜, question ՞, abbreviation ՟).
_DROP = frozenset("\u0640\u055b\u055c\u055e\u055f")
_SPACES = re.compile(r"\s+")

_HEBREW_PREFIX_LETTERS = frozenset("ובכלמשה")
_ARABIC_PREFIXES = frozenset(
    (conj + prep + art).replace("لال", "لل")
    for conj, prep, art in itertools.product(("", "و", "ف"), ("", "ب", "ك", "ل"), ("", "ال"))
) - {""}
_MIN_PREFIXED = 3  # shorter keywords match whole words only: "لم" (not) is not in "فلم" (film)


def normalise(text: str) -> str:
    """The matching form of ``text`` (see the module docstring)."""
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    base_script = ""
    for char in folded:
        category = unicodedata.category(char)
        if category == "Cf" or char in _DROP:
            continue
        if category[0] == "M":
            if base_script in DIACRITIC_SCRIPTS:
                continue
        elif category[0] == "L":
            base_script = script_of(char)
        else:
            base_script = ""  # a mark after a space or a digit is kept as written
            if category == "Nd":
                char = str(unicodedata.digit(char))
        out.append(char)
    composed = unicodedata.normalize("NFC", "".join(out)).translate(_UNIFY)
    composed = composed.replace("եւ", "եվ")
    return _SPACES.sub(" ", composed).strip()


@lru_cache(maxsize=4096)
def normalise_keyword(keyword: str) -> str:
    """``normalise``, cached: rules use the same few keywords on every message."""
    return normalise(keyword)


def contains_keyword(text: str, keyword: str) -> bool:
    """Whether the normalised ``text`` contains the normalised ``keyword`` (see above).

    Both arguments must already be normalised; ``matches_keyword`` does it for callers.
    """
    if not keyword:
        return False
    start = text.find(keyword)
    while start != -1:
        if _fits(text, start, start + len(keyword), keyword):
            return True
        start = text.find(keyword, start + 1)
    return False


def matches_keyword(text: str, keyword: str) -> bool:
    """``contains_keyword`` on raw texts: both are normalised first."""
    return contains_keyword(normalise(text), normalise_keyword(keyword))


def _fits(text: str, start: int, end: int, keyword: str) -> bool:
    if start < len(text) and is_mark(text[start]):
        return False  # never start on a mark that belongs to the previous letter
    if end < len(text) and is_mark(text[end]):
        return False  # never cut a letter from its vowel, tone or accent marks
    if needs_boundary(keyword[-1]) and end < len(text) and is_word_char(text[end]):
        return False
    if not needs_boundary(keyword[0]) or start == 0 or not is_word_char(text[start - 1]):
        return True
    return _after_prefix(text, start, keyword)


def _after_prefix(text: str, start: int, keyword: str) -> bool:
    """An Arabic or Hebrew keyword preceded by the prefixes those scripts attach."""
    if sum(1 for c in keyword if is_word_char(c)) < _MIN_PREFIXED:
        return False
    word_start = start
    while word_start > 0 and is_word_char(text[word_start - 1]):
        word_start -= 1
    prefix = text[word_start:start]
    script = script_of(keyword[0])
    if script == "ARABIC":
        return prefix in _ARABIC_PREFIXES
    if script == "HEBREW":
        return len(prefix) <= 3 and all(c in _HEBREW_PREFIX_LETTERS for c in prefix)
    return False
