"""Language detection on short, real-looking messages, mixed scripts, and texts too short
to tell; the ``BRIDGE_LANGUAGES`` setting."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection

import pytest
from pydantic import ValidationError

from bridge import config
from bridge.rules import language
from bridge.rules.language import detect_language, language_tag, parse_languages
from tests.conftest import apply_env

DEFAULT = config.Settings.model_fields["BRIDGE_LANGUAGES"].default


@pytest.mark.parametrize(("text", "code"), [
    pytest.param("Hi, my package never arrived. Can you check?", "en", id="en"),
    pytest.param("where is my order?", "en", id="en-short"),
    pytest.param("أين طلبي؟ لم يصل بعد", "ar", id="ar"),
    pytest.param("شكرا", "ar", id="ar-one-word"),
    pytest.param("مَرْحَبًا، أُرِيدُ إِلْغَاءَ الطَّلَب", "ar", id="ar-with-harakat"),
    pytest.param("איפה ההזמנה שלי?", "he", id="he"),
    pytest.param("תודה רבה", "he", id="he-thanks"),
    pytest.param("سفارش من هنوز نرسیده", "fa", id="fa"),
    pytest.param("می‌خواهم پولم را پس بگیرم", "fa", id="fa-zwnj"),
    pytest.param("สินค้ายังไม่มาถึงครับ", "th", id="th"),
    pytest.param("ขอบคุณค่ะ", "th", id="th-thanks"),
    pytest.param("Որտե՞ղ է իմ պատվերը", "hy", id="hy"),
    pytest.param("շնորհակալություն", "hy", id="hy-thanks"),
    pytest.param("je veux être remboursé", "fr", id="fr"),
    pytest.param("¿dónde está mi pedido?", "es", id="es"),
    pytest.param("我的订单在哪里", "zh", id="zh"),
    pytest.param("ありがとう", "ja", id="ja-kana"),
    pytest.param("주문이 안 왔어요", "ko", id="ko"),
])
def test_detects_short_messages(text: str, code: str) -> None:
    assert detect_language(text, DEFAULT) == code


@pytest.mark.parametrize(("text", "code"), [
    pytest.param("Thanks! شكرا جزيلا لكم على المساعدة", "ar", id="ar-with-english"),
    pytest.param("Hello سلام من هنوز سفارشم نرسیده لطفا کمک کنید", "fa",
                 id="fa-with-english"),
    pytest.param("order 12345 לא הגיע עדיין", "he", id="he-with-order-number"),
    pytest.param("สั่ง iPhone 15 ไปแล้วยังไม่ได้รับเลยค่ะ", "th", id="th-with-brand"),
    pytest.param("Իմ iPhone-ը չի աշխատում, օգնեք", "hy", id="hy-with-brand"),
    pytest.param("My new phone is broken again, please help! спасибо", "en",
                 id="en-with-russian-word"),
    pytest.param("@support https://example.com/o/1 ما زال الطلب معلقا", "ar",
                 id="links-and-mentions-ignored"),
])
def test_mixed_texts_take_the_dominant_language(text: str, code: str) -> None:
    assert detect_language(text, DEFAULT) == code


@pytest.mark.parametrize("text", [
    pytest.param("ok", id="ok"),
    pytest.param("OK!!", id="ok-shouting"),
    pytest.param("lol", id="three-letters"),
    pytest.param("👍", id="emoji"),
    pytest.param("👍🙏🏽❤️", id="emojis"),
    pytest.param("#1234", id="number"),
    pytest.param("", id="empty"),
    pytest.param("https://example.com/order/12345", id="link-only"),
    pytest.param("@someone", id="mention-only"),
    pytest.param("سلام", id="ar-or-fa"),
    pytest.param("Hello 👋", id="greeting-italian-at-0.38"),
])
def test_unsure_is_none(text: str) -> None:
    assert detect_language(text, DEFAULT) is None


@pytest.mark.parametrize(("text", "languages", "code"), [
    pytest.param("merci", DEFAULT, None, id="fr-or-it-in-the-default-set"),
    pytest.param("merci", "en,fr", "fr", id="fr-among-two"),
    pytest.param("سلام", "ar,en", "ar", id="ar-without-fa"),
    pytest.param("سلام", "en,fa", "fa", id="fa-without-ar"),
    pytest.param("Where is my order?", "he,th", None, id="no-latin-language-configured"),
])
def test_only_configured_languages_are_answered(text: str, languages: str,
                                                code: str | None) -> None:
    assert detect_language(text, languages) == code


def test_setting_is_read_and_validated(env: pytest.MonkeyPatch) -> None:
    assert config.get_settings().BRIDGE_LANGUAGES == DEFAULT
    apply_env(env, BRIDGE_LANGUAGES="he, th")
    assert detect_language("איפה ההזמנה שלי?") == "he"
    assert detect_language("Where is my order?") is None
    apply_env(env, BRIDGE_LANGUAGES="en,xx")
    with pytest.raises(ValidationError, match="xx: not an ISO 639-1 code"):
        config.get_settings()


@pytest.mark.parametrize(("value", "parsed"), [
    pytest.param("all", (), id="all"),
    pytest.param(" ALL ", (), id="all-any-case"),
    pytest.param("fr, EN,en", ("en", "fr"), id="sorted-deduplicated"),
])
def test_parse_languages(value: str, parsed: tuple[str, ...]) -> None:
    assert parse_languages(value) == parsed


@pytest.mark.parametrize(("value", "error"), [
    pytest.param("en", "at least two", id="one"),
    pytest.param("", "at least two", id="none"),
    pytest.param("en,klingon", "klingon: not an ISO 639-1 code", id="unknown"),
])
def test_parse_languages_errors(value: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_languages(value)


@pytest.mark.parametrize(("code", "tag"), [("ar", "lang_ar"), ("EN", "lang_en"),
                                           ("pt-BR", "lang_pt_br")])
def test_language_tag(code: str, tag: str) -> None:
    assert language_tag(code) == tag


def _detect_in_child(text: str, answers: multiprocessing.connection.Connection) -> None:
    answers.send(detect_language(text))


def test_worker_start_loads_the_models_its_pool_shares(env: pytest.MonkeyPatch) -> None:
    """The worker's main process builds the detector when it starts (Celery's
    ``worker_init``); a pool process forked from it detects without building its own."""
    from celery.signals import worker_init

    import bridge.worker  # noqa: F401  (connects the signal handlers)

    apply_env(env, BRIDGE_LANGUAGES="en,es")
    env.delitem(language._detectors, ("en", "es"), raising=False)
    worker_init.send(sender=None)
    assert ("en", "es") in language._detectors

    def no_second_build(languages: tuple[str, ...], preloaded: bool = False) -> None:
        raise AssertionError(f"built again for {languages}")

    env.setattr(language, "_build", no_second_build)
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe(duplex=False)
    child = context.Process(target=_detect_in_child,
                            args=("¿Dónde está mi paquete? Ya pasó una semana", child_end))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert parent_end.recv() == "es"
