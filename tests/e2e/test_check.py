"""`khuyenhoc check` as an operator runs it, against the fake Bot API: a good token passes, a
token Telegram refuses (401) fails with its line and a non-zero exit code."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

from bot.fake_bot_api import FakeBotApi

GOOD, BAD = "123456:good-token", "123456:revoked-token"


async def khuyenhoc(fake: FakeBotApi, cwd: Path, token: str, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KHUYENHOC_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        KHUYENHOC_DATABASE=str(cwd / "bot.sqlite3"),
        KHUYENHOC_DEFAULT_LANGUAGE="en",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_check_with_a_good_and_a_bad_token(
    fake: FakeBotApi, tmp_path: Path, units_template: Path
) -> None:
    shutil.copyfile(units_template, tmp_path / "bot.sqlite3")
    fake.accepted_tokens = {GOOD}

    code, out = await khuyenhoc(fake, tmp_path, GOOD, "check")
    lines = out.splitlines()
    assert code == 0, out
    assert [line.split(":")[0] for line in lines] == [
        "✓ Configuration",
        "✓ Database",
        "✓ Backups",
        "✓ Token",
        "✓ Bot",
    ]
    assert "getMe answers @khuyenhoc_bot" in lines[3]

    code, out = await khuyenhoc(fake, tmp_path, BAD, "check")
    assert code == 1, out
    token_line = next(line for line in out.splitlines() if "Token" in line)
    assert token_line.startswith("✗ Token: ") and "Unauthorized" in token_line
    assert [call.status for call in fake.requests if call.method == "getMe"] == [200, 401]
