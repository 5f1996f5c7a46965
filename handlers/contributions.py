"""Placeholder: this flow is being written; it registers no handlers yet."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from handlers.common import BotContext


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return []
