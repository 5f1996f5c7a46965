"""Who is who in a demo database, by Telegram id: ids 1–20, the people a newcomer tries the bot
as (`SMALL_PEOPLE` on today's map, on `SMALL_COMMUNES`; `OLD_MAP_PEOPLE` in the province's
history), and where the province's other chairs and volunteers start (`FIRST_EXTRA_ID`).
`people.py` seats them."""

from __future__ import annotations

from typing import Final

from bot.storage.models import Role

SMALL_DISTRICTS: Final = ("Đông Hưng", "Kiến Xương")
"""The two districts of the province's history whose people get ids 1–20 (the first two
districts of the hierarchy when these are missing)."""

OLD_MAP_PEOPLE: Final = (
    (1, Role.PROVINCE_ADMIN, "province", 0, 0),
    (2, Role.COMMUNE_CHAIR, "commune", 0, 0),
    (3, Role.DISTRICT_CHAIR, "district", 0, 0),
    (4, Role.DISTRICT_CHAIR, "district", 1, 0),
    (5, Role.COMMUNE_CHAIR, "commune", 0, 1),
    (6, Role.COMMUNE_CHAIR, "commune", 1, 0),
    (7, Role.COMMUNE_CHAIR, "commune", 1, 1),
    (8, Role.BRANCH_HEAD, "branch", 0, 0),
    (9, Role.BRANCH_HEAD, "branch", 1, 0),
    *((telegram_id, Role.VOLUNTEER, "branch", 0, 0) for telegram_id in range(10, 14)),
    *((telegram_id, Role.VOLUNTEER, "branch", 0, 1) for telegram_id in range(14, 16)),
    *((telegram_id, Role.VOLUNTEER, "branch", 1, 0) for telegram_id in range(16, 19)),
    *((telegram_id, Role.VOLUNTEER, "branch", 1, 1) for telegram_id in range(19, 21)),
)
"""Ids 1–20 in the province's history (Telegram id, role, level, which of the two districts,
which of its communes): the province admin (1), the two district chairs (3, 4), four commune
chairs (2, 5–7), two branch heads and eleven volunteers (10–20), each volunteer on the next
branch of their commune. Commune n of district d is the first whose commune of today's map is
`SMALL_COMMUNES[2d + n]`, so that after the move they are where `SMALL_PEOPLE` has them."""
SMALL_COMMUNES: Final = ("12688", "12754", "13075", "13096", "12694", "13141")
"""Today's communes of ids 1–20, by code: xã Đông Hưng, Tiên Hưng (from huyện Đông Hưng), Kiến
Xương, Bình Nguyên (from huyện Kiến Xương), Bắc Đông Hưng and Vũ Quý; the first communes of
the map when these are missing. `small` is these communes."""
SMALL_PEOPLE: Final = (
    (1, Role.PROVINCE_ADMIN, None),
    (2, Role.COMMUNE_CHAIR, 0),
    (3, Role.COMMUNE_CHAIR, 4),
    (4, Role.COMMUNE_CHAIR, 5),
    (5, Role.COMMUNE_CHAIR, 1),
    (6, Role.COMMUNE_CHAIR, 2),
    (7, Role.COMMUNE_CHAIR, 3),
    (8, Role.BRANCH_HEAD, 0),
    (9, Role.BRANCH_HEAD, 2),
    *((telegram_id, Role.VOLUNTEER, 0) for telegram_id in range(10, 14)),
    *((telegram_id, Role.VOLUNTEER, 1) for telegram_id in range(14, 16)),
    *((telegram_id, Role.VOLUNTEER, 2) for telegram_id in range(16, 19)),
    *((telegram_id, Role.VOLUNTEER, 3) for telegram_id in range(19, 21)),
)
"""Ids 1–20 on today's map (Telegram id, role, which of `SMALL_COMMUNES`; None: the
province): the province admin (1), six commune chairs (2–7), two branch heads (8, 9) and
eleven volunteers (10–20), each volunteer on the next branch of their commune. In the
province, users 3 and 4 chaired districts until the map changed."""
FIRST_EXTRA_ID: Final = 100_001
"""The province's other chairs and one volunteer per branch are numbered from here."""
