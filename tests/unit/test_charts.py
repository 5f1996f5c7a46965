"""Charts: valid PNGs of phone-friendly size, Vietnamese text without missing glyphs, no leaks."""

from __future__ import annotations

import gc
import io
import logging
import math
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from PIL import Image

from bot.charts import (
    FONT_PATH,
    MAX_HEIGHT_PX,
    BarChart,
    bar_chart_png,
    by_value,
    draw_bar_chart,
    format_number,
    rows_per_page,
    tick_decimals,
    tick_labels,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

DISTRICTS = [
    "Thành phố Thái Bình",
    "Quỳnh Phụ",
    "Hưng Hà",
    "Đông Hưng",
    "Thái Thụy",
    "Tiền Hải",
    "Kiến Xương",
    "Vũ Thư",
]
DISTRICT_VALUES: list[float | None] = [39.6, 27.4, 31.2, 26.1, 33.8, 25.3, 28.9, 35.0]
VIETNAMESE_SAMPLE = "ệ ữ ặ ỳ Đ ơ ư"


def district_chart(values: list[float | None] | None = None) -> BarChart:
    return BarChart(
        title="Tỷ lệ hội viên khuyến học trên dân số — tỉnh Thái Bình, năm 2024",
        labels=DISTRICTS,
        values=DISTRICT_VALUES if values is None else values,
        target=26.8,
        target_name="Chỉ tiêu",
        met_label="Đạt chỉ tiêu",
        below_label="Chưa đạt",
        y_label="Tỷ lệ hội viên (%)",
        footnote="Nguồn: báo cáo của các huyện, thành phố; số liệu đến 31/12/2024.",
    )


def commune_chart(count: int) -> BarChart:
    labels = [f"Xã Thụy Trường Đông Hưng {index}" for index in range(count)]
    values: list[float | None] = [
        None if index % 13 == 5 else 20 + (index * 7) % 25 for index in range(count)
    ]
    return BarChart(
        title="Tỷ lệ gia đình học tập theo xã — huyện Thái Thụy",
        labels=labels,
        values=values,
        target=30.0,
        target_name="Chỉ tiêu",
        met_label="Đạt",
        below_label="Chưa đạt",
        footnote="Nguồn: thử nghiệm",
    )


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt file fails here
    assert image.format == "PNG"
    return image


@pytest.fixture(scope="module")
def district_png() -> bytes:
    return bar_chart_png(district_chart())


def test_district_chart_is_a_phone_sized_png(district_png: bytes) -> None:
    image = decode(district_png)
    assert image.size == (1200, 800)
    assert 20_000 < len(district_png) < 1_000_000
    assert image.getpixel((0, 0))[:3] == (255, 255, 255)  # type: ignore[index]


def test_rendering_is_deterministic(district_png: bytes) -> None:
    assert bar_chart_png(district_chart()) == district_png
    assert b"Software" not in district_png
    assert b"tIME" not in district_png


def test_decomposed_labels_render_like_composed_ones(district_png: bytes) -> None:
    import unicodedata

    chart = district_chart()
    nfd = BarChart(
        title=unicodedata.normalize("NFD", chart.title),
        labels=[unicodedata.normalize("NFD", label) for label in chart.labels],
        values=chart.values,
        target=chart.target,
        target_name=chart.target_name,
        met_label=chart.met_label,
        below_label=chart.below_label,
        y_label=chart.y_label,
        footnote=chart.footnote,
    )
    assert bar_chart_png(nfd) == district_png


@pytest.mark.parametrize("count", [8, 60])
def test_many_units_render_taller_within_telegram_limits(count: int) -> None:
    chart = commune_chart(count)
    assert chart.horizontal
    image = decode(bar_chart_png(chart))
    width, height = image.size
    assert width == 1200
    if count == 60:
        assert 3000 <= height <= 4500  # ~55 px per bar: labels never overlap
    else:
        assert height == 800
    assert width + height <= 10_000 and height / width <= 20  # Telegram's photo limits


def test_unknown_values_render(district_png: bytes) -> None:
    values = list(DISTRICT_VALUES)
    values[2] = None
    png = bar_chart_png(district_chart(values))
    assert decode(png).size == (1200, 800)
    assert png != district_png
    decode(bar_chart_png(district_chart([None] * len(DISTRICTS))))


def test_short_labels_get_vertical_bars_without_target() -> None:
    chart = BarChart(
        title="Số hội viên mới",
        labels=["2021", "2022", "2023", "2024"],
        values=[1200, 1530, 2100, 2400],
        unit="",
        value_format=lambda value: format_number(value, 0),
    )
    assert not chart.horizontal
    assert decode(bar_chart_png(chart)).size == (1200, 800)


def test_orientation() -> None:
    assert district_chart().horizontal  # "Thành phố Thái Bình" would need 3 lines under a bar
    assert not BarChart(title="", labels=["Đông Hưng", "Vũ Thư"], values=[1, 2]).horizontal
    forced = BarChart(title="", labels=["A"], values=[1], orientation="horizontal")
    assert forced.horizontal


def test_font_has_vietnamese_glyphs_and_no_glyph_is_missing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    charmap = FT2Font(str(FONT_PATH)).get_charmap()
    text = VIETNAMESE_SAMPLE + "".join(DISTRICTS) + "ỷỹỵẫẩậắằẳẵếềểễệốồổỗộớờởỡợứừửựỉịọỏủũụ—"
    missing = sorted({char for char in text if not char.isspace() and ord(char) not in charmap})
    assert missing == []

    chart = BarChart(
        title=f"Kiểm tra dấu: {VIETNAMESE_SAMPLE}",
        labels=[*VIETNAMESE_SAMPLE.split(), "Ỹ Ỵ Ặ Ữ"],
        values=[10, 20, None, 30, 40, 50, 60, 70],
        target=35,
        target_name="Chỉ tiêu ệữặỳ",
        met_label="Đạt ơư",
        below_label="Chưa đạt",
        y_label="Tỷ lệ",
        footnote="Nguồn: Hội Khuyến học",
    )
    with caplog.at_level(logging.WARNING), warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        decode(bar_chart_png(chart))
    assert [record.getMessage() for record in caplog.records] == []


def test_no_figures_stay_open_after_many_renders() -> None:
    # 8 renders, not hundreds, to keep the suite fast: a leak would show after the first one.
    chart = BarChart(title="Rò rỉ", labels=["Vũ Thư", "Tiền Hải"], values=[30.0, None])
    for _ in range(8):
        bar_chart_png(chart)
        assert plt.get_fignums() == []
    gc.collect()
    assert [obj for obj in gc.get_objects() if isinstance(obj, Figure)] == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": ["A", "B"], "values": [1.0]}, "2 labels but 1 values"),
        ({"labels": [], "values": []}, "at least one unit"),
        ({"labels": ["A"], "values": [math.nan]}, "finite"),
        ({"labels": ["A"], "values": [-1.0]}, "≥ 0"),
        ({"labels": ["A"], "values": [1.0], "target": 5.0}, "met_label and below_label"),
    ],
)
def test_invalid_charts_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BarChart(title="x", **kwargs)  # type: ignore[arg-type]


def test_value_formats() -> None:
    assert format_number(26.8) == "26,8"
    assert format_number(1234567.25, 2) == "1.234.567,25"
    assert format_number(26.8, decimal_comma=False) == "26.8"
    chart = district_chart()
    assert chart.format_value(26.8) == "26,8%"
    assert chart.format_tick(30.0) == "30%"
    assert BarChart(title="", labels=["A"], values=[1], decimal_comma=False).format_value(2.5) == (
        "2.5%"
    )
    lower = BarChart(
        title="",
        labels=["A"],
        values=[1],
        target=5,
        met_label="Đạt",
        below_label="Chưa đạt",
        higher_is_better=False,
    )
    assert lower.meets_target(4) and not lower.meets_target(6)


def test_realistic_example_is_written(tmp_path: Path, district_png: bytes) -> None:
    path = tmp_path / "ty_le_hoi_vien_2024.png"
    path.write_bytes(district_png)
    assert decode(path.read_bytes()).size == (1200, 800)


def test_long_labels_wrap_to_two_lines_and_widen_rows() -> None:
    long_name = "Chi hội khuyến học dòng họ Nguyễn thôn Đông Thượng xã Thụy Trường"
    labels = [long_name, *DISTRICTS[1:], "Vũ Thư 2"]
    chart = BarChart(title="Chi hội", labels=labels, values=[50.0] * len(labels))
    assert chart.horizontal
    width, height = decode(bar_chart_png(chart)).size
    assert width == 1200 and 1000 < height < 1500


# --- Axes that read, ranking, pages -----------------------------------------------------------

SMALL_RATES: list[float | None] = [0.02, 0.31, 0.12, 0.05, 0.0, 0.22, 0.18, None, 0.004, 0.09]


def small_rate_chart(**changes: object) -> BarChart:
    labels = [f"Xã {index}" for index in range(len(SMALL_RATES))]
    pairs = by_value(labels, SMALL_RATES)
    fields: dict[str, object] = {
        "title": "Tỷ lệ công dân học tập — tỉnh Hưng Yên, năm 2026",
        "labels": [label for label, _ in pairs],
        "values": [value for _, value in pairs],
        "target": 0.2,
        "target_name": "Chỉ tiêu",
        "met_label": "Đạt chỉ tiêu",
        "below_label": "Chưa đạt chỉ tiêu",
        "average": 0.14,
        "average_name": "Toàn tỉnh Hưng Yên",
    }
    fields.update(changes)
    return BarChart(**fields)  # type: ignore[arg-type]


def drawn_texts(chart: BarChart) -> tuple[list[str], list[str]]:
    """The value axis's tick labels and the legend's entries, as the figure has them."""
    figure = draw_bar_chart(chart)
    figure.canvas.draw()
    axes = figure.axes[0]
    axis = axes.get_xticklabels() if chart.horizontal else axes.get_yticklabels()
    legend = axes.get_legend()
    entries = [text.get_text() for text in legend.get_texts()] if legend else []
    figure.clear()
    return [label.get_text() for label in axis], entries


@pytest.mark.parametrize(
    ("ticks", "decimals", "labels"),
    [
        ([0, 10, 20, 30], 0, ["0%", "10%", "20%", "30%"]),
        ([0, 2.5, 5, 7.5], 1, ["0,0%", "2,5%", "5,0%", "7,5%"]),
        ([0, 0.1, 0.2, 0.30000000000000004], 1, ["0,0%", "0,1%", "0,2%", "0,3%"]),
        ([0, 0.05, 0.1, 0.15], 2, ["0,00%", "0,05%", "0,10%", "0,15%"]),
        ([0, 0.002, 0.004], 3, ["0,000%", "0,002%", "0,004%"]),
    ],
)
def test_tick_labels_take_the_decimals_that_tell_them_apart(
    ticks: list[float], decimals: int, labels: list[str]
) -> None:
    assert tick_decimals(ticks) == decimals
    assert tick_labels(ticks) == labels
    assert len(set(tick_labels(ticks))) == len(ticks)


def test_tick_labels_in_other_units_and_languages() -> None:
    assert tick_labels([0, 1000, 2000], unit="") == ["0", "1.000", "2.000"]
    assert tick_labels([0, 0.5, 1], decimal_comma=False) == ["0.0%", "0.5%", "1.0%"]


def test_a_chart_of_small_rates_has_ticks_that_differ() -> None:
    ticks, legend = drawn_texts(small_rate_chart())
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks
    assert ticks[0] in ("0,0%", "0,00%") and all(tick.endswith("%") for tick in ticks)
    assert "," in ticks[1]  # Vietnamese decimal comma, never "0.1%"
    # Both lines are named with their values, the colours that occur too.
    assert legend == [
        "Đạt chỉ tiêu",
        "Chưa đạt chỉ tiêu",
        "Chỉ tiêu: 0,20%",
        "Toàn tỉnh Hưng Yên: 0,14%",
    ]
    tiny = small_rate_chart(values=[0.004, 0.003, 0.001, 0.0], labels=["A", "B", "C", "D"])
    ticks, _ = drawn_texts(tiny)
    assert len(set(ticks)) == len(ticks), ticks
    decode(bar_chart_png(small_rate_chart()))


def test_values_below_one_percent_keep_two_decimals() -> None:
    chart = small_rate_chart()
    assert chart.format_value(0.25) == "0,25%"
    assert chart.format_value(0.004) == "<0,01%"
    assert chart.format_value(0.0) == "0%"
    assert chart.format_value(26.84) == "26,8%"


def test_bars_are_ranked_highest_first_unknown_last() -> None:
    pairs = by_value(
        ["Vũ Thư", "An Bình", "Đông Hưng", "Bình Minh", "Cao Minh"], [20, None, 35, 20, 0]
    )
    assert pairs == [
        ("Đông Hưng", 35),
        ("Vũ Thư", 20),  # ties keep the order given
        ("Bình Minh", 20),
        ("Cao Minh", 0),
        ("An Bình", None),
    ]


def test_legend_names_only_the_colours_that_occur() -> None:
    _, legend = drawn_texts(small_rate_chart(values=[0.3, 0.25], labels=["A", "B"]))
    assert legend == ["Đạt chỉ tiêu", "Chỉ tiêu: 0,20%", "Toàn tỉnh Hưng Yên: 0,14%"]
    plain = BarChart(title="Không chỉ tiêu", labels=["A", "B"], values=[3.0, 4.0], average=3.5)
    assert drawn_texts(plain)[1] == ["3,5%"]


@pytest.mark.parametrize("long_names", [False, True])
def test_pages_of_a_long_list_stay_under_the_height_bound(long_names: bool) -> None:
    """104 communes (the issue saw 2,412 px for 38): each page of `rows_per_page` bars, with a
    footnote of several lines, is a readable image under MAX_HEIGHT_PX."""
    name = "Xã Thụy Trường Đông Hưng Tiền Hải Kiến Xương {}" if long_names else "Xã Số {}"
    labels = [name.format(index) for index in range(104)]
    values: list[float | None] = [float(110 - index) / 3 for index in range(104)]
    notes = "\n".join(["Nguồn: thử nghiệm", "Theo địa giới mới: số liệu của các đơn vị cũ " * 4])
    whole = small_rate_chart(labels=labels, values=values, footnote=notes, target=20.0)
    size = rows_per_page(whole)
    assert (6 if long_names else 15) <= size <= 20
    page = small_rate_chart(
        labels=labels[:size],
        values=values[:size],
        footnote=notes,
        target=20.0,
        value_max=max(v for v in values if v is not None),
        title=whole.title + " (trang 1/6)",
    )
    width, height = decode(bar_chart_png(page)).size
    assert width == 1200 and height <= MAX_HEIGHT_PX, height


def test_a_second_target_is_its_own_line() -> None:
    """The national programme's target beside the province's: named, drawn, not colouring."""
    chart = small_rate_chart(second_target=0.3, second_target_name="Chỉ tiêu toàn quốc")
    _, legend = drawn_texts(chart)
    assert legend[2:] == [
        "Chỉ tiêu: 0,20%",
        "Chỉ tiêu toàn quốc: 0,30%",
        "Toàn tỉnh Hưng Yên: 0,14%",
    ]
    assert chart.meets_target(0.25)  # coloured by the first target only
    figure = draw_bar_chart(chart)
    lines = figure.axes[0].get_lines()
    drawn = {round(float(np.asarray(line.get_xdata())[0]), 4) for line in lines}
    assert drawn == {0.2, 0.3, 0.14}
    figure.clear()
