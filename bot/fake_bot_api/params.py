"""Reading a Bot API request's parameters, failing with Telegram's own 400 answers.

Every method handler takes its parameters through these getters (form fields arrive as
texts, JSON bodies as values), and reply markup is checked here as Telegram checks it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from bot.fake_bot_api.records import _INLINE_ACTIONS, MAX_CALLBACK_DATA_BYTES, JsonDict


class _ApiError(Exception):
    """A Telegram-style error answer."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        data: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _resolve_attach(params: JsonDict, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("attach://"):
        return params.get(value.removeprefix("attach://"))
    return value


def _opt_str(params: JsonDict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    raise _bad(f"wrong type of the parameter {name}")


def _opt_int(params: JsonDict, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _bad(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise _bad(f"invalid {name} specified") from None
    raise _bad(f"invalid {name} specified")


def _opt_float(params: JsonDict, name: str) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise _bad(f"invalid {name} specified") from None
    raise _bad(f"invalid {name} specified")


def _opt_bool(params: JsonDict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return False


def _opt_json(params: JsonDict, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise _bad(f"can't parse {name} JSON object") from None
    return value


def _chat_id(params: JsonDict, name: str = "chat_id") -> int:
    value = params.get(name)
    if value is None or value == "":
        raise _bad(f"{name} is empty")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    raise _bad("chat not found")


def _req_int(params: JsonDict, name: str) -> int:
    value = _opt_int(params, name)
    if value is None:
        if name == "message_id":
            raise _bad("message identifier is not specified")
        raise _bad(f"{name} is empty")
    return value


def _validate_markup(markup: Any) -> JsonDict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for button in (button for row in rows for button in row):
            if not isinstance(button, dict) or not button.get("text"):
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in "
                    "the inline keyboard"
                )
            if not any(action in button for action in _INLINE_ACTIONS):
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in "
                    "the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(str(data).encode())
                if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button:
                url = str(button["url"])
                if not url.startswith(("http://", "https://", "tg://")):
                    raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        return markup
    if markup.get("remove_keyboard") or "force_reply" in markup:
        return markup
    raise _bad("can't parse reply keyboard markup JSON object")


def _shorten(text: str, size: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= size else text[: size - 1] + "…"


def _summarize(method: str, params: JsonDict) -> str:
    shown = []
    for key in ("chat_id", "message_id", "text", "caption", "callback_query_id", "offset"):
        if key in params:
            shown.append(f"{key}={_shorten(str(params[key]))!r}")
    return f"{method}({', '.join(shown)})"
