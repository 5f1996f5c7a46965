"""The words a sheet is written in: roles, branch kinds and the type words of communes and
areas, as the office writes them ("Chủ tịch Hội Khuyến học xã", "TDP", "xã Liên Giang"),
compared folded and without punctuation, so that a sheet typed by hand in any commune reads
the same as the template."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final

from bot.storage.models import BRANCH_KINDS, Role, UnitKind
from bot.text import fold

CHAIR: Final = "chair"
"""'Chủ tịch' alone: the commune's chair, or the area's when only an area is given."""

_ROLE_FILLER = re.compile(r"\b(hoi khuyen hoc|khuyen hoc|hkh|cap)\b")
_ROLE_WORDS: Final[Mapping[str, Role | str]] = {
    "chi hoi truong": Role.BRANCH_HEAD,
    "truong chi hoi": Role.BRANCH_HEAD,
    "branch head": Role.BRANCH_HEAD,
    "cong tac vien": Role.VOLUNTEER,
    "ctv": Role.VOLUNTEER,
    "tinh nguyen vien": Role.VOLUNTEER,
    "volunteer": Role.VOLUNTEER,
    "chu tich xa": Role.COMMUNE_CHAIR,
    "chu tich phuong": Role.COMMUNE_CHAIR,
    "chu tich thi tran": Role.COMMUNE_CHAIR,
    "chu tich xa phuong": Role.COMMUNE_CHAIR,
    "commune chair": Role.COMMUNE_CHAIR,
    "chu tich huyen": Role.DISTRICT_CHAIR,
    "chu tich quan": Role.DISTRICT_CHAIR,
    "chu tich thi xa": Role.DISTRICT_CHAIR,
    "chu tich thanh pho": Role.DISTRICT_CHAIR,
    "chu tich cum": Role.DISTRICT_CHAIR,
    "district chair": Role.DISTRICT_CHAIR,
    "dieu phoi cum": Role.DISTRICT_CHAIR,
    "dieu phoi vien cum": Role.DISTRICT_CHAIR,
    "dieu phoi vien": Role.DISTRICT_CHAIR,
    "dieu phoi": Role.DISTRICT_CHAIR,
    "area coordinator": Role.DISTRICT_CHAIR,
    "chu tich": CHAIR,
    "chair": CHAIR,
    "quan tri tinh": Role.PROVINCE_ADMIN,
    "quan tri": Role.PROVINCE_ADMIN,
    "province administrator": Role.PROVINCE_ADMIN,
    "province admin": Role.PROVINCE_ADMIN,
    **{role.value.replace("_", " "): role for role in Role},
}
"""Folded, punctuation and "Hội Khuyến học"/"cấp" left out: "Chủ tịch Hội Khuyến học xã" is
"chu tich xa"."""

SHEET_ROLES: Final = (
    Role.BRANCH_HEAD,
    Role.VOLUNTEER,
    Role.COMMUNE_CHAIR,
    Role.DISTRICT_CHAIR,
)
"""The roles a sheet gives (the province's administrators are made with `admin add`)."""

_KIND_WORDS: Final[Mapping[str, UnitKind]] = {
    "thon": UnitKind.VILLAGE,
    "xom": UnitKind.VILLAGE,
    "lang": UnitKind.VILLAGE,
    "ap": UnitKind.VILLAGE,
    "ban": UnitKind.VILLAGE,
    "thon xom": UnitKind.VILLAGE,
    "village": UnitKind.VILLAGE,
    "to dan pho": UnitKind.RESIDENTIAL_GROUP,
    "tdp": UnitKind.RESIDENTIAL_GROUP,
    "khu pho": UnitKind.RESIDENTIAL_GROUP,
    "khu dan cu": UnitKind.RESIDENTIAL_GROUP,
    "residential group": UnitKind.RESIDENTIAL_GROUP,
    "truong hoc": UnitKind.SCHOOL,
    "truong": UnitKind.SCHOOL,
    "school": UnitKind.SCHOOL,
    "dong ho": UnitKind.CLAN,
    "ho": UnitKind.CLAN,
    "clan": UnitKind.CLAN,
    "co quan": UnitKind.AGENCY,
    "co quan don vi": UnitKind.AGENCY,
    "don vi": UnitKind.AGENCY,
    "agency": UnitKind.AGENCY,
    **{kind.value.replace("_", " "): kind for kind in BRANCH_KINDS},
}
_NAME_STARTS: Final = tuple(
    (words + " ", kind)
    for words, kind in sorted(_KIND_WORDS.items(), key=lambda item: -len(item[0]))
    if " " in words or words in ("thon", "xom", "tdp", "truong", "ho", "ap")
)
"""A branch named "Thôn Đông La", "Trường THCS Lê Lợi", "Họ Nguyễn" says its kind."""

COMMUNE_WORDS: Final[Mapping[str, tuple[UnitKind, ...]]] = {
    "xa": (UnitKind.COMMUNE,),
    "phuong": (UnitKind.WARD,),
    "thi tran": (UnitKind.TOWNSHIP,),
    "tt": (UnitKind.TOWNSHIP,),
    "p": (UnitKind.WARD,),
    "x": (UnitKind.COMMUNE,),
    "commune": (UnitKind.COMMUNE,),
    "ward": (UnitKind.WARD,),
    "township": (UnitKind.TOWNSHIP,),
}
AREA_WORDS: Final[Mapping[str, tuple[UnitKind, ...]]] = {
    "cum": (UnitKind.AREA,),
    "cum xa": (UnitKind.AREA,),
    "huyen": (UnitKind.RURAL_DISTRICT,),
    "quan": (UnitKind.URBAN_DISTRICT,),
    "thi xa": (UnitKind.TOWN,),
    "thanh pho": (UnitKind.CITY,),
    "tp": (UnitKind.CITY,),
    "area": (UnitKind.AREA,),
    "district": (UnitKind.RURAL_DISTRICT, UnitKind.URBAN_DISTRICT),
}
NO_KINDS: tuple[UnitKind, ...] = ()
_PUNCTUATION = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def words(text: str) -> str:
    """Folded, punctuation as spaces: what names, kinds and roles are compared by (cached: a
    sheet repeats its communes, branches, kinds and roles on every row)."""
    return _PUNCTUATION.sub(" ", fold(text)).strip()


def parse_role(text: str) -> Role | str | None:
    """A role as the office writes it ("Chi hội trưởng", "chu tich xa", "Điều phối cụm"), `CHAIR`
    for "Chủ tịch" alone; None when it is not one."""
    key = _ROLE_FILLER.sub(" ", words(text))
    return _ROLE_WORDS.get(" ".join(key.split()))


def parse_kind(text: str) -> UnitKind | None:
    """A branch kind: "Thôn", "to dan pho", "TDP", "Trường học", "dòng họ", "Cơ quan"…"""
    return _KIND_WORDS.get(words(text))


def kind_in_name(name: str) -> UnitKind | None:
    """The kind a branch's name starts with ("Thôn Đông La" → village), if any."""
    key = words(name) + " "
    return next((kind for start, kind in _NAME_STARTS if key.startswith(start)), None)


def typed_unit(
    text: str, kinds: Mapping[str, tuple[UnitKind, ...]]
) -> tuple[str, tuple[UnitKind, ...]]:
    """ "xã Liên Giang" → ("lien giang", (commune,)): the name without its type word."""
    key = words(text)
    for word in sorted(kinds, key=len, reverse=True):
        if key.startswith(word + " ") and len(key) > len(word) + 1:
            return key[len(word) + 1 :], kinds[word]
    return key, ()
