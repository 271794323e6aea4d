"""Regex conditions: searched in the normalised and in the written text, with guards."""

from __future__ import annotations

import re

import pytest

from bridge.rules.patterns import MAX_CHARS, regex_matches, regex_risk
from bridge.rules.text import normalise


@pytest.mark.parametrize(("pattern", "text", "found"), [
    pytest.param(r"order #?\d{5}", "ORDER #١٢٣٤٥ please", True, id="digits-of-any-script"),
    pytest.param(r"\bcafe\b", "Un Café SVP", True, id="normalised-without-accents"),
    pytest.param(r"café", "Café crème", True, id="written-with-accents"),
    pytest.param(r"^refund", "   Refund now", True, id="anchored-after-trim"),
    pytest.param(r"\d{3}-\d{4}", "call 555 1234", False, id="no-match"),
    pytest.param(r"استرداد|ارجاع", "أريد إرجاعَ المنتج", True, id="ar-alternatives"),
    pytest.param(r"\bמשלוח\b", "המשלוח", False,
                 id="he-regex-boundaries-are-literal"),
    pytest.param(r"משלוח", "המשלוח", True, id="he-regex-without-boundaries"),
    pytest.param(r"כרטיס \d+", "כַּרְטִיס 42", True, id="he-niqqud-removed"),
    pytest.param(r"كد \d{4}", "کد ۱۲۳۴", True, id="fa-letters-and-digits-unified"),
    pytest.param(r"คืน(เงิน|สินค้า)", "ขอคืนสินค้าค่ะ", True, id="th"),
    pytest.param(r"որտեղ", "Որտե՞ղ է", True, id="hy-in-word-mark-removed"),
])
def test_regex(pattern: str, text: str, found: bool) -> None:
    assert regex_matches(pattern, normalise(text), text) is found


def test_only_the_first_characters_are_searched() -> None:
    text = "x" * MAX_CHARS + " refund"
    assert not regex_matches("refund", normalise(text), text)
    assert regex_matches("refund", normalise(text[-20:]), text[-20:])


@pytest.mark.parametrize(("pattern", "risky"), [
    pytest.param(r"(a+)+$", True, id="nested-plus"),
    pytest.param(r"(\w*\s?)*x", True, id="nested-star"),
    pytest.param(r"((a+)b)*", True, id="deeper-nesting"),
    pytest.param(r"(?:x+){2,}", True, id="open-brace-repeat"),
    pytest.param(r"(a|b)+", False, id="repeated-alternation"),
    pytest.param(r"a+b*", False, id="plain-repeats"),
    pytest.param(r"(ab)*", False, id="repeated-fixed-group"),
    pytest.param(r"[(]a+[)]+", False, id="parens-in-classes"),
    pytest.param(r"\(a+\)+", False, id="escaped-parens"),
    pytest.param(r"[^]a+]+", False, id="bracket-first-in-class"),
    pytest.param(r"(a+){3}", False, id="bounded-repeat"),
    pytest.param(r"order #?\d{5,}", False, id="realistic"),
])
def test_regex_risk(pattern: str, risky: bool) -> None:
    re.compile(pattern)
    assert (regex_risk(pattern) is not None) is risky
