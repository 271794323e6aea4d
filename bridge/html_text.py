"""The text of HTML written by a person (a helpdesk comment or note): no I/O."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
           "ul", "ol", "table"}
_SKIPPED = {"script", "style", "head", "title"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "col", "area", "base", "source"}


class _TextExtractor(HTMLParser):
    """Collects text; elements in ``_SKIPPED`` or with ``dropped_class`` are dropped."""

    def __init__(self, dropped_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._newlines = 0  # line breaks at the end of the output so far (spaces aside)
        self._skip: list[str] = []  # open elements whose content is dropped
        self._pre = 0
        self._dropped_class = dropped_class

    def _break(self, count: int) -> None:
        """End the current block with at least ``count`` line breaks (none before any text)."""
        if self.parts and self._newlines < count:
            self.parts.append("\n" * (count - self._newlines))
            self._newlines = count

    def _drops(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in _SKIPPED:
            return True
        classes = " ".join(value or "" for key, value in attrs if key == "class")
        return bool(self._dropped_class) and self._dropped_class in classes

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip or self._drops(tag, attrs):
            if tag not in _VOID:
                self._skip.append(tag)
        elif tag == "br":
            self.parts.append("\n")
            self._newlines += 1
        elif tag in _BLOCKS:
            self._break(2 if tag == "p" else 1)
            self._pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
        elif tag in _BLOCKS:
            self._break(2 if tag == "p" else 1)
            self._pre = max(0, self._pre - (tag == "pre"))

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        text = data if self._pre else re.sub(r"[ \t\r\n\f]+", " ", data)
        self.parts.append(text)
        if text.strip(" "):
            self._newlines = len(text) - len(text.rstrip("\n"))


def html_to_text(body: str, dropped_class: str = "") -> str:
    """The text of ``body``: blocks and ``<br>`` become line breaks.

    Spaces around line breaks are dropped, so ``<pre>`` keeps its lines but not its indent;
    elements whose ``class`` contains ``dropped_class`` (e.g. quoted history) are left out.
    """
    parser = _TextExtractor(dropped_class)
    parser.feed(body)
    parser.close()
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", "".join(parser.parts))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
