"""Text and entities as Telegram makes them from what the bot sent.

``parse_mode="HTML"`` is rendered like Telegram does (tags become entities, unsupported or
unbalanced tags are a 400), so a test reads what the person sees.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from bot.fake_bot_api.params import _ApiError, _bad
from bot.fake_bot_api.records import JsonDict


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class _HtmlRenderer(HTMLParser):
    """Turns Telegram HTML into plain text plus entities, failing where Telegram fails."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._parts: list[str] = []
        self._length = 0
        self._stack: list[tuple[str, JsonDict | None, int]] = []
        self.entities: list[JsonDict] = []

    def _error(self, what: str) -> _ApiError:
        line, column = self.getpos()
        lines = self._source.splitlines(keepends=True)
        offset = sum(len(chunk) for chunk in lines[: line - 1]) + column
        byte_offset = len(self._source[:offset].encode())
        return _bad(f"can't parse entities: {what} at byte offset {byte_offset}")

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += _utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        entity_type = _HTML_ENTITY_TYPES.get(tag)
        if entity_type is None or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise self._error(f'Unsupported start tag "{tag}"')
        entity: JsonDict | None = {"type": entity_type}
        if tag == "a":
            entity = {"type": "text_link", "url": attributes.get("href", "")}
        elif tag == "blockquote" and "expandable" in attributes:
            entity = {"type": "expandable_blockquote"}
        elif tag == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id", "")}
        elif tag == "code" and self._stack and self._stack[-1][0] == "pre":
            language = attributes.get("class", "").removeprefix("language-")
            parent = self._stack[-1][1]
            if language and parent is not None:
                parent["language"] = language
                entity = None
        self._stack.append((tag, entity, self._length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise self._error(f'Unsupported start tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            raise self._error(f'Unexpected end tag "{tag}"')
        open_tag, entity, start = self._stack[-1]
        if open_tag != tag:
            raise self._error(f'Unmatched end tag, expected "</{open_tag}>", found "</{tag}>"')
        self._stack.pop()
        if entity is not None and self._length > start:
            self.entities.append({**entity, "offset": start, "length": self._length - start})

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise self._error('Unexpected "<" (escape it as &lt;)')
        self._append(data)

    def handle_entityref(self, name: str) -> None:
        self._append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self._append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        raise self._error("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise self._error("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        raise self._error("Unsupported processing instruction")

    def render(self) -> tuple[str, list[JsonDict]]:
        self.feed(self._source)
        self.close()
        if self._stack:
            tag = self._stack[-1][0]
            raise _bad(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
            )
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self._parts), entities


def _render(raw: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` the way Telegram does (HTML only; others are kept verbatim)."""
    if parse_mode and parse_mode.lower() == "html":
        return _HtmlRenderer(raw).render()
    if isinstance(entities, list):
        return raw, [entity for entity in entities if isinstance(entity, dict)]
    return raw, []
