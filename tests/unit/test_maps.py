"""The map of communes: one mark per commune where it lies, grey without a value, a valid PNG of
phone size drawn without any network, and no figure left open."""

from __future__ import annotations

import csv
import gc
import io
import socket
from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from bot.maps import UNKNOWN_COLOR, CommuneMap, MapPoint, draw_map, map_png, plotted_points
from tests.conftest import NEW_MAP_CSV

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def hung_yen_points() -> list[MapPoint]:
    """Today's 104 communes at their shipped points; every ninth without a value."""
    with NEW_MAP_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        MapPoint(
            row["commune_name"],
            float(row["lat"]),
            float(row["lon"]),
            None if index % 9 == 4 else 15 + (index * 7) % 25,
        )
        for index, row in enumerate(rows)
    ]


def commune_map(points: list[MapPoint], **changes: object) -> CommuneMap:
    fields: dict[str, object] = {
        "title": "Tỷ lệ hội viên trên dân số — Tỉnh Hưng Yên, năm 2026",
        "points": points,
        "scale_label": "Tỷ lệ (%)",
        "unknown_label": "Chưa có số liệu",
        "footnote": "Nguồn: thử nghiệm\nMỗi chấm là một xã, phường.",
        "target": 30.0,
        "target_name": "Chỉ tiêu",
        "average": 26.0,
        "average_name": "Toàn tỉnh Hưng Yên",
    }
    fields.update(changes)
    return CommuneMap(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def points() -> list[MapPoint]:
    found = hung_yen_points()
    assert len(found) == 104 and all(point.lat and point.lon for point in found)
    return found


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a connection fails the test (no tiles, no fonts from the web)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the map tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def test_one_mark_per_commune_grey_without_a_value(points: list[MapPoint]) -> None:
    marks = plotted_points(commune_map(points))
    assert len(marks) == len(points) == 104
    assert [mark.name for mark in marks] == [point.name for point in points]
    for mark, point in zip(marks, points, strict=True):
        assert (mark.x, mark.y) == (point.lon, point.lat)  # no two share a point today
        if point.value is None:
            assert mark.color == UNKNOWN_COLOR
        else:
            assert mark.color != UNKNOWN_COLOR and mark.color.startswith("#")
    unknown = [mark for mark in marks if mark.value is None]
    assert len(unknown) == 12
    # The colour follows the value: the highest and the lowest differ, equal values agree.
    known = sorted((m for m in marks if m.value is not None), key=lambda m: m.value or 0)
    assert known[0].color != known[-1].color
    same = [m for m in known if m.value == known[-1].value]
    assert {m.color for m in same} == {known[-1].color}


def test_the_best_and_weakest_are_labelled_with_their_values(points: list[MapPoint]) -> None:
    marks = plotted_points(commune_map(points, labelled=3))
    labelled = [mark for mark in marks if mark.label is not None]
    known = sorted(
        (m for m in marks if m.value is not None), key=lambda m: (-(m.value or 0), m.name)
    )
    assert {m.name for m in labelled} == {m.name for m in [*known[:3], *known[-3:]]}
    assert all(mark.label and mark.label.endswith("%") and "," in mark.label for mark in labelled)
    few = plotted_points(commune_map(points[:10]))
    assert all(mark.label is not None for mark in few)  # few points: every one named
    assert [m.label for m in few if m.value is None] == [points[4].name]


def test_communes_sharing_a_point_are_spread_apart() -> None:
    """Old communes placed at the point of the commune that took them: each its own mark."""
    here = (20.45, 106.34)
    shared = [MapPoint(f"Xã cũ {index}", *here, 10.0 + index) for index in range(5)]
    alone = MapPoint("Xã khác", 20.60, 106.10, None)
    marks = plotted_points(commune_map([*shared, alone]))
    spots = {(round(mark.x, 6), round(mark.y, 6)) for mark in marks}
    assert len(spots) == 6
    for mark in marks[:5]:
        assert abs(mark.y - here[0]) < 0.05 and abs(mark.x - here[1]) < 0.05
        assert (mark.x, mark.y) != (here[1], here[0])
    assert (marks[5].x, marks[5].y) == (106.10, 20.60) and marks[5].color == UNKNOWN_COLOR


def test_the_map_is_a_phone_sized_png_drawn_offline(
    points: list[MapPoint], no_network: None
) -> None:
    png = map_png(commune_map(points))
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert width == 1200 and 800 <= height <= 1400, image.size
    assert 30_000 < len(png) < 2_000_000
    assert b"Software" not in png and b"tIME" not in png
    assert map_png(commune_map(points)) == png  # reproducible


def test_the_drawn_map_has_exactly_the_plotted_marks(points: list[MapPoint]) -> None:
    data = commune_map(points)
    figure = draw_map(data)
    axes = figure.axes[0]
    offsets = [
        row for collection in axes.collections for row in np.asarray(collection.get_offsets())
    ]
    assert len(offsets) == 104
    colours = sorted(
        to_hex(tuple(colour))
        for collection in axes.collections
        for colour in np.asarray(collection.get_facecolor())
    )
    assert colours == sorted(mark.color for mark in plotted_points(data))
    figure.canvas.draw()
    bar = figure.axes[1]  # the colour bar: Vietnamese ticks that differ
    ticks = [label.get_text() for label in bar.get_xticklabels()]
    assert ticks and len(set(ticks)) == len(ticks) and all(t.endswith("%") for t in ticks)
    legend = axes.get_legend()
    assert legend is not None
    assert [text.get_text() for text in legend.get_texts()] == [
        "Chưa có số liệu (12)",
        "Chỉ tiêu: 30,0%",
        "Toàn tỉnh Hưng Yên: 26,0%",
    ]
    figure.clear()


def test_small_rates_and_a_single_value() -> None:
    small = [MapPoint(f"Xã {i}", 20.5 + i / 50, 106.2 + i / 40, i / 100) for i in range(6)]
    figure = draw_map(commune_map(small, target=None, average=None))
    figure.canvas.draw()
    ticks = [label.get_text() for label in figure.axes[1].get_xticklabels()]
    assert len(set(ticks)) == len(ticks) >= 3, ticks
    figure.clear()
    one = [MapPoint("Xã Một", 20.5, 106.2, 12.5)]
    assert map_png(commune_map(one)).startswith(PNG_SIGNATURE)


def test_no_figures_stay_open(points: list[MapPoint]) -> None:
    for _ in range(3):
        map_png(commune_map(points[:20]))
        assert plt.get_fignums() == []
    gc.collect()
    assert [obj for obj in gc.get_objects() if isinstance(obj, Figure)] == []


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([], "at least one point"),
        ([MapPoint("A", 95.0, 106.0, 1.0)], "not a point on Earth"),
        ([MapPoint("A", 20.0, 106.0, float("nan"))], "finite"),
    ],
)
def test_invalid_maps_are_refused(points: list[MapPoint], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        commune_map(points)
