"""Normalisation and keyword matching in Arabic, Hebrew, Persian, Thai, Armenian, English
(and a few more scripts): what must match, and what must not."""

from __future__ import annotations

import pytest

from bridge.rules.scripts import dominant_script, script_of
from bridge.rules.text import matches_keyword, normalise


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("Café CRÈME", "cafe creme", id="en-accents-and-case"),
    pytest.param("Straße", "strasse", id="de-sharp-s-casefold"),
    pytest.param("ＲＥＦＵＮＤ", "refund", id="en-full-width"),
    pytest.param("don’t", "don't", id="en-typographic-apostrophe"),
    pytest.param("  late \n\t delivery  ", "late delivery", id="spaces-collapse"),
    pytest.param("İstanbul", "istanbul", id="tr-dotted-capital-i"),
    pytest.param("مَرْحَبًا بِكُمْ", "مرحبا بكم", id="ar-harakat"),
    pytest.param("شكـــرا", "شكرا", id="ar-tatweel"),
    pytest.param("أين إلغاء آخر", "اين الغاء اخر", id="ar-hamza-and-madda-on-alef"),
    pytest.param("فاتورة", "فاتوره", id="ar-teh-marbuta-as-heh"),
    pytest.param("مستشفى", "مستشفي", id="ar-alef-maksura-as-yeh"),
    pytest.param("رقم ١٢٣", "رقم 123", id="ar-indic-digits"),
    pytest.param("שָׁלוֹם", "שלום", id="he-niqqud"),
    pytest.param("\u200fשלום\u200f", "שלום", id="he-bidi-marks"),
    pytest.param("کیک", "كيك", id="fa-keheh-and-yeh-as-arabic"),
    pytest.param("می‌خواهم", "ميخواهم", id="fa-zwnj"),
    pytest.param("کد ۱۲۳۴", "كد 1234", id="fa-extended-digits"),
    pytest.param("สวัสดีครับ", "สวัสดีครับ", id="th-marks-are-spelling"),
    pytest.param("เลขที่ ๑๒๓", "เลขที่ 123", id="th-digits"),
    pytest.param("ԲԱՐԵՎ", "բարեվ", id="hy-case"),
    pytest.param("Երևան", "երեվան", id="hy-ech-yiwn-ligature"),
    pytest.param("ինչո՞ւ", "ինչու", id="hy-in-word-question-mark"),
    pytest.param("ещё", "еще", id="ru-yo"),
])
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(("text", "keyword", "found"), [
    # English: case, diacritics, whole words, phrases, hashtags.
    pytest.param("Where is my REFUND?", "refund", True, id="en-case"),
    pytest.param("It was refunded", "refund", False, id="en-not-inside-a-word"),
    pytest.param("this category", "cat", False, id="en-not-a-prefix"),
    pytest.param("Crème brûlée", "creme brulee", True, id="en-diacritics-in-text"),
    pytest.param("creme brulee", "Crème Brûlée", True, id="en-diacritics-in-keyword"),
    pytest.param("the late   delivery", "late delivery", True, id="en-phrase"),
    pytest.param("delivery was late", "late delivery", False, id="en-phrase-order"),
    pytest.param("#refund please", "refund", True, id="en-hashtag"),
    pytest.param("it don’t work", "don't work", True, id="en-apostrophes"),
    # Arabic: harakat, tatweel, letter variants, attached prefixes (not suffixes).
    pytest.param("أين طلبي؟", "طلبي", True, id="ar-word"),
    pytest.param("مَرْحَبًا", "مرحبا", True, id="ar-harakat"),
    pytest.param("شكـــرا جزيلا", "شكرا", True, id="ar-tatweel"),
    pytest.param("أريد إرجاع المنتج", "ارجاع", True, id="ar-hamza"),
    pytest.param("والطلب لم يصل", "طلب", True, id="ar-conjunction-and-article"),
    pytest.param("بالفاتورة", "فاتوره", True, id="ar-preposition-and-teh-marbuta"),
    pytest.param("الطلبات", "طلب", False, id="ar-not-a-plural"),
    pytest.param("مطلب", "طلب", False, id="ar-not-after-other-letters"),
    pytest.param("شاهدت فلم", "لم", False, id="ar-short-keyword-takes-no-prefix"),
    pytest.param("الطلب لم يصل بعد", "لم يصل", True, id="ar-phrase"),
    # Hebrew: niqqud, prefixes ו ה ב כ ל מ ש.
    pytest.param("שָׁלוֹם לכם", "שלום", True, id="he-niqqud"),
    pytest.param("והמשלוח לא הגיע", "משלוח", True, id="he-prefixes"),
    pytest.param("המשלוחים", "משלוח", False, id="he-not-a-plural"),
    pytest.param("תשלום", "שלום", False, id="he-not-after-other-letters"),
    pytest.param("החבילה לא הגיעה", "לא הגיעה", True, id="he-phrase"),
    pytest.param("החבילה הגיעה", "לא הגיעה", False, id="he-phrase-needs-every-word"),
    # Persian: ZWNJ, Persian and Arabic letter forms, digits.
    pytest.param("می‌خواهم پولم را پس بگیرم", "میخواهم", True, id="fa-zwnj-in-text"),
    pytest.param("میخواهم", "می‌خواهم", True, id="fa-zwnj-in-keyword"),
    pytest.param("سفارش من کجاست", "كجاست", True, id="fa-arabic-kaf-keyword"),
    pytest.param("يك سوال دارم", "یک سوال", True, id="fa-arabic-forms-in-text"),
    pytest.param("کد ۱۲۳۴", "1234", True, id="fa-digits"),
    pytest.param("سفارشی", "سفارش", False, id="fa-whole-word"),
    # Thai: no spaces between words, so substrings; marks are spelling.
    pytest.param("สินค้ายังไม่มาถึงครับ", "ยังไม่มาถึง", True, id="th-inside-a-sentence"),
    pytest.param("อยากได้เงินคืนค่ะ", "เงินคืน", True, id="th-refund"),
    pytest.param("ไม้กวาดหัก", "ไม่", False, id="th-tone-marks-differ"),
    pytest.param("อยู่ที่นี่", "ที", False, id="th-never-cuts-a-mark"),
    pytest.param("สวัสดีครับ", "สวัสดี", True, id="th-greeting"),
    # Armenian: case, the ech-yiwn ligature, in-word punctuation, whole words.
    pytest.param("Որտե՞ղ է իմ պատվերը", "որտեղ", True, id="hy-in-word-question-mark"),
    pytest.param("ԲԱՐԵՎ ՁԵԶ", "բարև", True, id="hy-capitals-and-ligature"),
    pytest.param("Երևան", "ԵՐԵՎԱՆ", True, id="hy-ligature-in-text"),
    pytest.param("Ուզում եմ պատվեր տալ", "պատ", False, id="hy-whole-word"),
    pytest.param("ուզում եմ վերադարձնել գումարը", "վերադարձնել", True, id="hy-word"),
    # Other scripts, emoji, edge cases.
    pytest.param("我的订单在哪里", "订单", True, id="zh-substring"),
    pytest.param("주문이 안 왔어요", "주문", True, id="ko-particles-attached"),
    pytest.param("Где мой ЗАКАЗ?", "заказ", True, id="ru-case"),
    pytest.param("thanks 🙏🏽", "🙏", True, id="emoji-with-skin-tone"),
    pytest.param("My order لم يصل", "لم يصل", True, id="mixed-scripts"),
    pytest.param("anything", "", False, id="empty-keyword"),
    pytest.param("anything", "\u064e\u0640", False, id="keyword-only-marks"),
])
def test_keyword(text: str, keyword: str, found: bool) -> None:
    assert matches_keyword(text, keyword) is found


@pytest.mark.parametrize(("text", "script"), [
    pytest.param("Hello سلام من هنوز سفارشم نرسیده", "ARABIC", id="fa-with-english"),
    pytest.param("order 12345 לא הגיע עדיין", "HEBREW", id="he-with-english"),
    pytest.param("注文はどこですか", "CJK", id="ja-kanji-and-kana-together"),
    pytest.param("👍 123 !!", None, id="no-letters"),
])
def test_dominant_script(text: str, script: str | None) -> None:
    assert dominant_script(text) == script


def test_script_names_of_digits_and_letters() -> None:
    assert [script_of(c) for c in "aשبกԱ٣"] == [
        "LATIN", "HEBREW", "ARABIC", "THAI", "ARMENIAN", "ARABIC"]
