"""The language of a customer's message, with lingua (``lingua-language-detector``).

lingua is accurate on short texts because it keeps large n-gram models in memory; they
are what an operator pays for, per process. Measured on this machine: with the default
set (16 languages, ``Settings.BRIDGE_LANGUAGES``) the first English text takes 1.8 s and
brings the process to about 235 MB (every model loaded: 365 MB); with ``all`` (75
languages) 9.8 s and 950 MB (every model: 1.27 GB). Later texts take about 0.3 ms. Models
load on the first text that needs them: a Hebrew, Thai or Armenian text loads none, its
script alone decides. A Celery worker does not wait for that: its main process loads every
model of the set at start (``preload``, 1.7 s and 380 MB for the default set), before the
pool forks, so the pool processes share one copy and no customer's message pays for it.
``BRIDGE_LANGUAGES`` names the set (ISO 639-1 codes, comma-separated) or ``all``;
the detector only ever answers one of them.

The answer is ``None`` when unsure:

- fewer than ``MIN_LETTERS`` letters once links and @mentions are removed ("ok", "👍",
  "#1234"); a Chinese, Japanese or Korean character counts as two letters (你好 is a word);
- lingua's best two languages are closer than ``MIN_DISTANCE`` ("سلام" is both Arabic and
  Persian, "merci" could be French or Italian);
- lingua's confidence in its answer is below ``MIN_CONFIDENCE`` ("Hello" is Italian at 0.38,
  Spanish at 0.27).

A mixed-script text is read in its dominant script (most letters): "Thanks! شكرا جزيلا
لكم" is Arabic, "My iPhone is broken, срочно" English.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from bridge.rules.scripts import dominant_script, in_family, letter_count

if TYPE_CHECKING:
    from lingua import LanguageDetector

MIN_LETTERS = 4
MIN_DISTANCE = 0.1
MIN_CONFIDENCE = 0.45
_WIDE = frozenset({"CJK", "HANGUL"})  # one character is about a word
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+|@\w+")

_lock = threading.Lock()
_detectors: dict[tuple[str, ...], LanguageDetector] = {}


@lru_cache(maxsize=8)
def parse_languages(value: str) -> tuple[str, ...]:
    """``BRIDGE_LANGUAGES`` as sorted codes; ``()`` means all. ``ValueError`` names what
    is wrong."""
    from lingua import Language

    if value.strip().lower() == "all":
        return ()
    codes = sorted({c.strip().lower() for c in value.split(",") if c.strip()})
    known = {language.iso_code_639_1.name.lower() for language in Language.all()}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"BRIDGE_LANGUAGES: {', '.join(unknown)}: not an ISO 639-1 code "
                         f"lingua knows ({', '.join(sorted(known))})")
    if len(codes) < 2:
        raise ValueError("BRIDGE_LANGUAGES: name at least two languages, or all")
    return tuple(codes)


def detector(languages: tuple[str, ...]) -> LanguageDetector:
    """The process's detector for ``languages`` (``()``: all), built on first use.

    Models load lazily, on the first text that needs them, and are shared by every
    thread; in a forking worker each child loads its own."""
    with _lock:
        if languages not in _detectors:
            _detectors[languages] = _build(languages)
        return _detectors[languages]


def preload(languages: tuple[str, ...]) -> LanguageDetector:
    """Build the process's detector for ``languages`` with every model in memory now.

    For a process about to fork: the models are plain memory that no Python reference
    count touches, so forked children share the pages instead of each loading its own."""
    with _lock:
        _detectors[languages] = _build(languages, preloaded=True)
        return _detectors[languages]


def _build(languages: tuple[str, ...], preloaded: bool = False) -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if languages:
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(
            *(IsoCode639_1.from_str(code) for code in languages))
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    builder = builder.with_minimum_relative_distance(MIN_DISTANCE)
    if preloaded:
        builder = builder.with_preloaded_language_models()
    return builder.build()


def detect_language(text: str, languages: str | None = None) -> str | None:
    """The ISO 639-1 code of ``text``'s language, lower case, or ``None`` when unsure.

    ``languages`` overrides ``BRIDGE_LANGUAGES`` (same syntax)."""
    sample = dominant_part(_NOISE.sub(" ", text))
    if _weight(sample) < MIN_LETTERS:
        return None
    if languages is None:
        from bridge.config import get_settings

        languages = get_settings().BRIDGE_LANGUAGES
    chosen = detector(parse_languages(languages))
    found = chosen.detect_language_of(sample)
    if found is None or chosen.compute_language_confidence(sample, found) < MIN_CONFIDENCE:
        return None  # lingua reads "Hello" as Italian at 0.38: one guess among many
    return found.iso_code_639_1.name.lower()


def dominant_part(text: str) -> str:
    """``text`` with the letters of every other script blanked out."""
    family = dominant_script(text)
    if family is None:
        return ""
    return "".join(c if not c.isalpha() or in_family(c, family) else " " for c in text)


def _weight(text: str) -> int:
    family = dominant_script(text)
    return letter_count(text) * (2 if family in _WIDE else 1)


def language_tag(code: str) -> str:
    """The ticket tag for a detected language: ``lang_ar``, ``lang_pt_br``."""
    return "lang_" + code.strip().lower().replace("-", "_")
