"""The token's one rate limiter: Telegram's limits, replies before bulk, 429s, exempt calls.

The tests run on an event loop whose clock only moves when every task waits (``VirtualLoop``),
so a minute of pacing takes milliseconds and the times asserted are exact.
"""

from __future__ import annotations

import asyncio
import itertools
import selectors
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from telegram.error import RetryAfter

from bot.rate_limit import (
    BULK,
    Limits,
    RateLimitArgs,
    TelegramRateLimiter,
    TurnDeclined,
    Window,
)

T = TypeVar("T")
GAP = 0.9 / 29  # the least spacing of two messages (Limits.smoothing of 1/29 s)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class _VirtualSelector(selectors.DefaultSelector):
    """Polls real file descriptors without blocking; a wait for a timer moves the clock."""

    def __init__(self, loop: VirtualLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if not ready:
            if timeout is None:
                raise RuntimeError("every task waits for something that never comes")
            self._loop.now += timeout
        return ready


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(_VirtualSelector(self))

    def time(self) -> float:
        return self.now


def run(main: Callable[[], Awaitable[T]]) -> T:
    loop = VirtualLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def now() -> float:
    return asyncio.get_running_loop().time()


@dataclass
class Api:
    """Stands in for Telegram: records (endpoint, chat, time, tag) and raises what is scripted."""

    errors: dict[int | str, list[Exception]] = field(default_factory=dict)
    latency: float = 0.0
    """Seconds until Telegram's answer comes back."""
    calls: list[tuple[str, int | str | None, float, str]] = field(default_factory=list)

    async def request(
        self,
        limiter: TelegramRateLimiter,
        chat_id: int | str | None,
        *,
        endpoint: str = "sendMessage",
        args: RateLimitArgs | None = None,
        tag: str = "",
    ) -> Any:
        async def callback(*_: Any, **__: Any) -> dict[str, Any]:
            self.calls.append((endpoint, chat_id, now(), tag))
            await asyncio.sleep(self.latency)
            script = self.errors.get(chat_id) if chat_id is not None else None
            if script:
                raise script.pop(0)
            return {"ok": True}

        data: dict[str, Any] = {} if chat_id is None else {"chat_id": chat_id}
        return await limiter.process_request(callback, (), {}, endpoint, data, args)

    def times(self, tag: str | None = None) -> list[float]:
        return [at for _, _, at, t in self.calls if tag is None or t == tag]


def most_in_a_window(times: list[float], period: float) -> int:
    return max((sum(1 for t in times if start <= t < start + period) for start in times), default=0)


# ---------------------------------------------------------------- Telegram's limits


def test_never_more_than_29_in_any_second_and_no_burst() -> None:
    api = Api()

    async def main() -> None:
        limiter = TelegramRateLimiter()
        await asyncio.gather(
            *(api.request(limiter, chat, args=BULK if chat % 2 else None) for chat in range(1, 201))
        )

    run(main)
    times = api.times()
    assert len(times) == 200
    assert most_in_a_window(times, 1.0) == 29  # one under Telegram's 30, for the way there
    assert most_in_a_window(times, 0.5) <= 17  # smooth: a burst would put 29 in 0.5 s
    assert min(b - a for a, b in itertools.pairwise(times)) >= GAP - 1e-9
    assert times[-1] < 200 / 29 + 0.1  # and not slower than that


def test_a_person_gets_one_message_a_second_a_group_20_a_minute() -> None:
    api = Api()

    async def main() -> None:
        limiter = TelegramRateLimiter()
        await asyncio.gather(
            *(api.request(limiter, 7, tag="person") for _ in range(4)),
            *(api.request(limiter, -100123, tag="group") for _ in range(22)),
            *(api.request(limiter, 7, endpoint="editMessageText", tag="edit") for _ in range(3)),
        )

    run(main)
    person, group, edits = api.times("person"), api.times("group"), api.times("edit")
    assert [round(b - a, 6) for a, b in itertools.pairwise(person)] == [1.0] * 3
    assert min(b - a for a, b in itertools.pairwise(group)) >= 1.0 - 1e-9
    assert most_in_a_window(group, 60.0) == 20
    assert group[20] >= group[0] + 60.0
    # an edit is no new message in a private chat: only the overall pace holds it
    assert max(edits) < 0.2


def test_limits_can_allow_a_short_burst_in_a_private_chat() -> None:
    api = Api()

    async def main() -> None:
        limiter = TelegramRateLimiter(Limits(private_chat=(Window(3, 3.0),)))
        await asyncio.gather(*(api.request(limiter, 7) for _ in range(6)))

    run(main)
    times = api.times()
    assert max(times[:3]) < 0.1 and min(times[3:]) >= 3.0
    assert most_in_a_window(times, 3.0) == 3


def test_a_turn_counts_from_when_the_request_leaves() -> None:
    """A busy event loop resumes a granted request late: its chat's next turn counts from then,
    or the two could reach Telegram less than a second apart."""
    api = Api()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualLoop)
        limiter = TelegramRateLimiter()

        async def busy(*_: Any, **__: Any) -> dict[str, Any]:
            # wakes right after the dispatcher granted the next turn, and holds the loop 0.2 s
            await asyncio.sleep(limiter._gap)
            loop.now += 0.2
            return {"ok": True}

        hog = asyncio.ensure_future(
            limiter.process_request(busy, (), {}, "sendMessage", {"chat_id": 9}, None)
        )
        await asyncio.sleep(0)
        await api.request(limiter, 8, tag="late")
        await api.request(limiter, 8, tag="next")
        await hog

    run(main)
    (late,), (following,) = api.times("late"), api.times("next")
    assert late == pytest.approx(GAP + 0.2)
    assert following >= late + 1.0


def test_on_turn_runs_when_the_turn_came_and_may_decline() -> None:
    api = Api()
    asked: list[float] = []

    async def slow_yes() -> bool:
        asked.append(now())
        await asyncio.sleep(0.3)  # a database write, say
        return True

    async def no() -> bool:
        return False

    async def main() -> None:
        limiter = TelegramRateLimiter()
        await api.request(limiter, 7)
        await api.request(limiter, 7, args={"on_turn": slow_yes}, tag="slow")
        with pytest.raises(TurnDeclined):
            await api.request(limiter, 8, args={"on_turn": no}, tag="declined")
        await api.request(limiter, 7, tag="next")

    run(main)
    assert asked == [pytest.approx(1.0)]  # chat 7's turn, not before
    assert api.times("slow") == [pytest.approx(1.3)]
    assert api.times("declined") == []
    assert api.times("next") == [pytest.approx(2.3)]  # a second after it left


# ---------------------------------------------------------------- priorities


def test_a_reply_goes_before_100_queued_bulk_sends() -> None:
    api = Api()

    async def main() -> float:
        limiter = TelegramRateLimiter()
        bulk = [
            asyncio.ensure_future(api.request(limiter, chat, args=BULK, tag="bulk"))
            for chat in range(1000, 1100)
        ]
        await asyncio.sleep(0.5)  # the broadcast is in full flow
        asked = now()
        await api.request(limiter, 7, tag="reply")
        await asyncio.gather(*bulk)
        return asked

    asked = run(main)
    (replied,) = api.times("reply")
    assert replied - asked <= 1 / 29 + 1e-9  # at most the send granted just before it
    bulk_before = sum(1 for at in api.times("bulk") if at < replied)
    assert bulk_before <= 17  # what went in the half second before the reply, not the 100
    assert [tag for *_, tag in api.calls].count("bulk") == 100


def test_replies_take_the_whole_rate_and_bulk_gets_what_is_left() -> None:
    api = Api()

    async def main() -> None:
        limiter = TelegramRateLimiter()
        bulk = [
            asyncio.ensure_future(api.request(limiter, chat, args=BULK, tag="bulk"))
            for chat in range(1000, 1010)
        ]
        await asyncio.gather(*(api.request(limiter, chat, tag="reply") for chat in range(60)))
        await asyncio.gather(*bulk)

    run(main)
    assert max(api.times("reply")) < min(api.times("bulk"))


def test_a_reply_to_a_chat_waiting_for_its_turn_does_not_hold_up_other_chats() -> None:
    api = Api()

    async def main() -> None:
        limiter = TelegramRateLimiter()
        await api.request(limiter, 7)
        await asyncio.gather(api.request(limiter, 7, tag="again"), api.request(limiter, 8))

    run(main)
    assert [chat for _, chat, _, _ in api.calls] == [7, 8, 7]
    assert api.times("again") == [1.0]


# ---------------------------------------------------------------- 429


def test_retry_after_pauses_every_lane_then_retries_first() -> None:
    api = Api(errors={5: [RetryAfter(3)]}, latency=0.1)

    async def main() -> TelegramRateLimiter:
        limiter = TelegramRateLimiter()
        await asyncio.gather(
            api.request(limiter, 5),
            *(api.request(limiter, chat) for chat in range(10, 20)),
            api.request(limiter, 9, args=BULK),
        )
        return limiter

    limiter = run(main)
    (_, chat, at, _), *rest = api.calls
    assert (chat, at) == (5, 0.0)
    # three more went before the 429 came back, then nobody until the pause was over
    assert [chat for _, chat, at, _ in rest if at < 0.1] == [10, 11, 12]
    later = rest[3:]
    assert min(at for _, _, at, _ in later) >= 3.0
    assert [chat for _, chat, _, _ in later] == [5, *range(13, 20), 9]  # the retry first
    assert limiter.stats.rate_limited == 1


def test_retries_are_bounded_and_bulk_by_default_here_gets_none() -> None:
    api = Api(errors={5: [RetryAfter(1)] * 5, 6: [RetryAfter(1)]})

    async def main() -> None:
        limiter = TelegramRateLimiter(max_retries=2)
        with pytest.raises(RetryAfter):
            await api.request(limiter, 5)
        with pytest.raises(RetryAfter):
            await api.request(limiter, 6, args={"priority": "bulk", "max_retries": 0})

    run(main)
    assert [chat for _, chat, _, _ in api.calls] == [5, 5, 5, 6]


# ---------------------------------------------------------------- exempt calls


@pytest.mark.parametrize(
    ("endpoint", "chat_id"),
    [
        ("answerCallbackQuery", None),
        ("getFile", None),
        ("getMe", None),
        ("setMyCommands", None),
        ("getChat", 7),
        ("sendChatAction", 7),
        ("deleteMessage", 7),
    ],
)
def test_calls_that_send_no_message_pass_at_once(endpoint: str, chat_id: int | None) -> None:
    api = Api()

    async def main() -> float:
        limiter = TelegramRateLimiter()
        queued = [asyncio.ensure_future(api.request(limiter, c)) for c in range(1000, 1100)]
        await asyncio.sleep(0.5)
        limiter.pause(5.0)  # even while Telegram makes the messages wait
        asked = now()
        await api.request(limiter, chat_id, endpoint=endpoint, tag="exempt")
        await asyncio.gather(*queued)
        assert limiter.stats.exempt == 1
        return asked

    asked = run(main)
    assert api.times("exempt") == [asked]


def test_a_cancelled_request_gives_its_turn_away_and_the_dispatcher_ends() -> None:
    api = Api()

    async def main() -> TelegramRateLimiter:
        limiter = TelegramRateLimiter()
        await api.request(limiter, 7)
        waiting = asyncio.ensure_future(api.request(limiter, 7, tag="cancelled"))
        await asyncio.sleep(0.5)
        waiting.cancel()
        await api.request(limiter, 8)
        await api.request(limiter, 7, tag="after")  # the cancelled one did not take its turn
        await asyncio.sleep(2)
        assert limiter.waiting == {"interactive": 0, "bulk": 0}
        assert limiter._dispatcher is not None and limiter._dispatcher.done()
        return limiter

    run(main)
    assert api.times("cancelled") == []
    assert [chat for _, chat, _, _ in api.calls] == [7, 8, 7]
    assert api.times("after") == [1.0]


def test_an_unknown_priority_is_refused() -> None:
    urgent: Any = {"priority": "urgent"}

    async def main() -> None:
        with pytest.raises(ValueError, match="priority"):
            await Api().request(TelegramRateLimiter(), 7, args=urgent)

    run(main)
