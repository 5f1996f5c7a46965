"""Bar charts of per-unit statistics as PNG bytes, for chairs reading them on a phone.

The bot sends the PNG as a Telegram photo, which chairs look at on a phone and paste into
reports to the province. So the chart is wide (1200 px), uses large fonts, prints each value at
the end of its bar (nobody reads values off an axis on a phone), and turns to horizontal bars
when there are many units or long names rather than rotating labels. Callers sort the bars
(`by_value`) and split a long list into pages (`rows_per_page`) so that an image stays under
`MAX_HEIGHT_PX`; the value axis has ticks that differ however small the rates (`tick_labels`),
a target line and the scope's own rate (the average of its units) as a second line.

This module knows nothing of Telegram, the database or translations: callers pass finished,
translated labels and get bytes back. Rendering is deterministic (no timestamp or version in the
PNG) so tests compare bytes and sizes, not pixels.

Matplotlib is used through ``Figure`` and the Agg canvas directly, never ``pyplot``: no GUI
backend, no display, no global registry of open figures that could leak memory in a
long-running bot. Fonts are loaded by path from the DejaVu Sans files bundled with matplotlib,
which cover Vietnamese, so output does not depend on the fonts installed on the host.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter

__all__ = [
    "AVERAGE_COLOR",
    "BELOW_COLOR",
    "FONT_PATH",
    "MAX_HEIGHT_PX",
    "MET_COLOR",
    "RENDER_LOCK",
    "SECOND_TARGET_COLOR",
    "BarChart",
    "Orientation",
    "ValueTicks",
    "bar_chart_png",
    "by_value",
    "draw_bar_chart",
    "font_of",
    "format_number",
    "line_label",
    "nfc",
    "rows_per_page",
    "tick_decimals",
    "tick_labels",
    "wrap_footnote",
]

Orientation = Literal["auto", "horizontal", "vertical"]

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_PATH = _FONT_DIR / "DejaVuSans.ttf"
"""The regular font every text uses; DejaVu Sans has all Vietnamese precomposed letters."""
_BOLD_FONT_PATH = _FONT_DIR / "DejaVuSans-Bold.ttf"

# Okabe–Ito palette: blue and orange stay distinct for the common colour-vision deficiencies
# and differ in lightness, so they survive a black-and-white printout of the report.
MET_COLOR = "#0072B2"
"""Bars that meet the target (and every bar when there is no target)."""
BELOW_COLOR = "#E69F00"
"""Bars below the target."""
_TARGET_COLOR = "#222222"
AVERAGE_COLOR = "#CC79A7"
"""The line of the scope's own rate (Okabe–Ito reddish purple, apart from both bar colours)."""
SECOND_TARGET_COLOR = "#009E73"
"""A second target's line (the national programme's): Okabe–Ito bluish green."""
_MUTED_COLOR = "#555555"
_GRID_COLOR = "#DDDDDD"

_DPI = 150
_WIDTH_IN = 8.0  # 1200 px: shown unscaled (Telegram shrinks a photo to fit 1280 or 2560 px)
_MIN_HEIGHT_IN = 16 / 3  # 800 px
_ROW_IN = 0.36  # one horizontal bar with a 12 pt label, without overlap
_CHROME_IN = 2.4  # title, legend, value axis and footnote around the bars
_TITLE_LINE_IN = 0.32  # each title line past the second (the chrome has room for two)
_LEGEND_ROW_IN = 0.3  # each legend row past the first
MAX_HEIGHT_PX = 1400
"""A page of bars stays under this (a phone shows ~2.5 screens of it; 38 bars made 2,412 px)."""
_PAGE_BUDGET_IN = 1350 / _DPI  # what `rows_per_page` aims for, a little under the bound
_PAGE_ROWS = 20
_MIN_PAGE_ROWS = 6

# Sizes in points; at 150 dpi 1 pt ≈ 2.1 px, so the smallest text (footnote) is ~21 px high.
_TITLE_PT = 15.0
_LABEL_PT = 12.0
_LEGEND_PT = 11.0
_FOOTNOTE_PT = 10.0

_TITLE_WRAP = 56  # characters per bold 15 pt title line across 1200 px, with margins
_LABEL_WRAP = 28  # a horizontal bar's label wraps after this; past 2 lines it ends with "…"
_MISSING = "—"
_MAX_UNITS = 200  # far more than any district's communes; protects against a runaway query
_MOST_DECIMALS = 3

RENDER_LOCK = threading.Lock()
"""Matplotlib is not thread-safe (font cache, text layout cache); the bot renders charts and
maps in worker threads via asyncio.to_thread, so renders are serialised."""


def format_number(value: float, decimals: int = 1, *, decimal_comma: bool = True) -> str:
    """Format like Vietnamese users write numbers: ``1.234,5`` (or ``1,234.5`` without the flag).

    Vietnamese uses a comma for decimals and a dot for thousands; a chart saying ``26.8%`` reads
    as a typo to a chair and gets corrected by hand in the report.
    """
    text = f"{value:,.{decimals}f}"
    if decimal_comma:
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def tick_decimals(ticks: Sequence[float]) -> int:
    """The fewest decimals (at most 3) that print every tick exactly and tell them apart: 0 for
    0, 10, 20; 1 for 0, 2.5, 5; 2 for 0, 0.05, 0.1, where one decimal read "0,0%" twice."""
    for decimals in range(_MOST_DECIMALS + 1):
        texts = [f"{tick:.{decimals}f}" for tick in ticks]
        exact = all(
            math.isclose(float(text), tick, abs_tol=1e-9)
            for text, tick in zip(texts, ticks, strict=True)
        )
        if exact and len(set(texts)) == len(texts):
            return decimals
    return _MOST_DECIMALS


class ValueTicks(PercentFormatter):
    """Matplotlib's percent formatter with a fixed number of decimals, Vietnamese digits
    (``1.200``, ``0,05%``) and any unit (``""`` for counts)."""

    def __init__(self, decimals: int, *, unit: str = "%", decimal_comma: bool = True) -> None:
        super().__init__(xmax=100, decimals=decimals, symbol=unit)
        self.decimal_comma = decimal_comma

    def format_pct(self, x: float, display_range: float) -> str:
        decimals = self.decimals or 0
        return format_number(x, decimals, decimal_comma=self.decimal_comma) + self.symbol


def tick_labels(
    ticks: Sequence[float], *, unit: str = "%", decimal_comma: bool = True
) -> list[str]:
    """What the value axis prints at these ticks: all in the same number of decimals, the
    fewest that make every label differ (`tick_decimals`)."""
    formatter = ValueTicks(tick_decimals(ticks), unit=unit, decimal_comma=decimal_comma)
    return [formatter.format_pct(tick, 0.0) for tick in ticks]


def by_value(
    labels: Sequence[str], values: Sequence[float | None]
) -> list[tuple[str, float | None]]:
    """Highest first, unknown values last; equal values keep their given (alphabetical) order,
    so the chart reads as a ranking."""
    pairs = list(zip(labels, values, strict=True))
    order = sorted(
        range(len(pairs)),
        key=lambda i: (pairs[i][1] is None, -(pairs[i][1] or 0.0), i),
    )
    return [pairs[i] for i in order]


@dataclass(frozen=True)
class BarChart:
    """One bar per unit; all text is already translated by the caller.

    ``values`` are percentages (0..100) by default; ``None`` is an unknown value, drawn as an
    empty slot labelled "—" rather than as a misleading zero. ``target`` draws a reference
    line labelled ``"{target_name}: {value}"`` (e.g. "Chỉ tiêu: 26,8%") and colours each bar by
    whether it meets the target; ``met_label`` and ``below_label`` name those colours in the
    legend and are required with a target. ``value_format`` overrides how bar values are
    printed; by default they get one decimal, ``unit`` appended, and a decimal comma unless
    ``decimal_comma`` is false. ``y_label`` names the value axis (horizontal when the bars are).
    ``footnote`` is the source/date line at the bottom; a long one, or one with line breaks
    (the map the figures are on, a rule used), takes the lines it needs. ``average`` draws a
    line of the scope's own rate, labelled ``"{average_name}: {value}"``; ``second_target``
    another target that does not colour the bars (the national programme's beside the
    province's). ``value_max`` fixes the end of the value axis, so the pages of one list share
    a scale.
    """

    title: str
    labels: Sequence[str]
    values: Sequence[float | None]
    target: float | None = None
    target_name: str = ""
    met_label: str = ""
    below_label: str = ""
    y_label: str = ""
    footnote: str = ""
    value_format: Callable[[float], str] | None = None
    unit: str = "%"
    decimal_comma: bool = True
    higher_is_better: bool = True
    """False for rates where less is better (e.g. dropouts): then meeting means ≤ target."""
    orientation: Orientation = "auto"
    average: float | None = None
    average_name: str = ""
    second_target: float | None = None
    second_target_name: str = ""
    value_max: float | None = None

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError(f"{len(self.labels)} labels but {len(self.values)} values")
        if not self.labels:
            raise ValueError("a bar chart needs at least one unit")
        if len(self.labels) > _MAX_UNITS:
            raise ValueError(f"{len(self.labels)} units; at most {_MAX_UNITS} fit on one chart")
        for value in [
            *self.values,
            self.target,
            self.average,
            self.second_target,
            self.value_max,
        ]:
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ValueError(f"values must be finite and ≥ 0 (bars start at zero): {value}")
        if self.target is not None and not (self.met_label and self.below_label):
            raise ValueError("a chart with a target needs met_label and below_label")

    def format_value(self, value: float) -> str:
        """The text printed at the end of a bar and in the legend: one decimal, two below 1
        ("0,25%" rather than "0,3%"), "<0,01%" for what two would print as zero."""
        if self.value_format is not None:
            return self.value_format(value)
        if 0 < value < 0.005:
            return "<" + format_number(0.01, 2, decimal_comma=self.decimal_comma) + self.unit
        decimals = 0 if value == 0 else 2 if value < 1 else 1
        return format_number(value, decimals, decimal_comma=self.decimal_comma) + self.unit

    def format_tick(self, value: float) -> str:
        """Axis ticks: as few decimals as the tick needs (``10%``, ``2,5%``)."""
        decimals = 0 if float(value).is_integer() else 1
        return format_number(value, decimals, decimal_comma=self.decimal_comma) + self.unit

    @property
    def horizontal(self) -> bool:
        """Vertical bars only for ≤ 8 short labels that fit under their bar on ≤ 2 lines."""
        if self.orientation != "auto":
            return self.orientation == "horizontal"
        if len(self.labels) > 8:
            return True
        chars = _vertical_chars_per_line(len(self.labels))
        for label in self.labels:
            lines = textwrap.wrap(nfc(label), chars, break_long_words=False)
            if len(lines) > 2 or any(len(line) > chars for line in lines):
                return True
        return False

    def meets_target(self, value: float) -> bool:
        """Whether a bar gets the "met" colour; always true without a target."""
        if self.target is None:
            return True
        return value >= self.target if self.higher_is_better else value <= self.target


def draw_bar_chart(data: BarChart) -> Figure:
    """The chart as a matplotlib figure on the Agg canvas, not yet rendered (tests read its
    tick labels after ``figure.canvas.draw()``); `bar_chart_png` is what callers want."""
    return _draw(data, [nfc(label) for label in data.labels], data.horizontal)


def rows_per_page(data: BarChart) -> int:
    """How many of ``data``'s horizontal bars fit on one image under `MAX_HEIGHT_PX`, with its
    title, legend and footnote: 20 short names, fewer when names take two lines."""
    labels = [nfc(label) for label in data.labels]
    room = _PAGE_BUDGET_IN - _CHROME_IN - _extra_in(data)
    rows = int(room / _row_in(_wrap_horizontal(labels)))
    return max(_MIN_PAGE_ROWS, min(_PAGE_ROWS, rows))


def bar_chart_png(data: BarChart) -> bytes:
    """Render ``data`` as a PNG, 1200 px wide, 800 px high or taller for many units."""
    with RENDER_LOCK:
        figure = draw_bar_chart(data)
        buffer = io.BytesIO()
        # metadata: drop the "Software: matplotlib version …" chunk so output is reproducible.
        figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
        figure.clear()  # break reference cycles now; the Figure is never registered globally
    return buffer.getvalue()


def nfc(text: str) -> str:
    """Compose diacritics: decomposed input (from some keyboards) would draw marks misplaced."""
    return unicodedata.normalize("NFC", text)


_FOOTNOTE_WRAP = 108  # characters of 10 pt across 1200 px, with margins (diacritics are wide)
_FOOTNOTE_LINE_IN = 0.2


def wrap_footnote(text: str) -> str:
    """The footnote wrapped to the width of the image, its own line breaks kept."""
    lines = []
    for line in nfc(text).splitlines():
        lines += textwrap.wrap(line, _FOOTNOTE_WRAP) or [""]
    return "\n".join(lines).strip("\n")


def font_of(size: float, *, bold: bool = False) -> FontProperties:
    return FontProperties(fname=_BOLD_FONT_PATH if bold else FONT_PATH, size=size)


def _vertical_chars_per_line(count: int) -> int:
    """How many characters of a 12 pt label fit under one of ``count`` vertical bars."""
    slot_px = 0.82 * _WIDTH_IN * _DPI / count
    char_px = 0.62 * _LABEL_PT * _DPI / 72  # a generous average DejaVu Sans letter
    return max(1, int(slot_px / char_px))


def _wrap_horizontal(labels: Sequence[str]) -> list[str]:
    """At most two lines per label, the second cut with "…"."""
    return [textwrap.fill(label, _LABEL_WRAP, max_lines=2, placeholder=" …") for label in labels]


def _row_in(wrapped: Sequence[str]) -> float:
    """Every row as tall as the tallest label needs: bars are evenly spaced, so one 2-line
    label widens the spacing of all."""
    return _ROW_IN * (1.5 if any("\n" in label for label in wrapped) else 1.0)


def _extra_in(data: BarChart) -> float:
    """Height past the usual chrome: a title of more than two lines, a footnote or legend of
    more than one."""
    title_lines = max(1, len(textwrap.wrap(nfc(data.title), _TITLE_WRAP)))
    footnote = wrap_footnote(data.footnote)
    footnote_lines = footnote.count("\n") + 1 if footnote else 1
    _, legend_rows = _legend_columns(_legend_entries(data))
    return (
        _TITLE_LINE_IN * max(0, title_lines - 2)
        + _FOOTNOTE_LINE_IN * (footnote_lines - 1)
        + _LEGEND_ROW_IN * max(0, legend_rows - 1)
    )


def _draw(data: BarChart, labels: list[str], horizontal: bool) -> Figure:
    if horizontal:
        wrapped = _wrap_horizontal(labels)
        height = max(_MIN_HEIGHT_IN, _CHROME_IN + _extra_in(data) + _row_in(wrapped) * len(labels))
    else:
        chars = _vertical_chars_per_line(len(labels))
        wrapped = [textwrap.fill(label, chars, break_long_words=False) for label in labels]
        height = _MIN_HEIGHT_IN + _extra_in(data)
    footnote = wrap_footnote(data.footnote)
    footnote_in = (0.45 + _FOOTNOTE_LINE_IN * (footnote.count("\n"))) if footnote else 0.1
    figure = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI, facecolor="white")
    figure.set_layout_engine(
        ConstrainedLayoutEngine(rect=(0.0, footnote_in / height, 1.0, 1.0 - footnote_in / height))
    )
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _draw_bars(axes, data, wrapped, horizontal)

    title = "\n".join(textwrap.wrap(nfc(data.title), _TITLE_WRAP)) or " "
    figure.suptitle(title, fontproperties=font_of(_TITLE_PT, bold=True))
    _draw_legend(axes, data)
    if footnote:
        figure.text(
            0.012,
            0.12 / height,
            footnote,
            fontproperties=font_of(_FOOTNOTE_PT),
            color=_MUTED_COLOR,
            ha="left",
            va="bottom",
        )
    return figure


def _draw_bars(axes: Axes, data: BarChart, labels: list[str], horizontal: bool) -> None:
    positions = list(range(len(labels)))
    known = [value if value is not None else 0.0 for value in data.values]
    colors = [
        MET_COLOR if value is None or data.meets_target(value) else BELOW_COLOR
        for value in data.values
    ]
    lines = [data.target, data.second_target, data.average, data.value_max]
    top = max([*known, *(value or 0.0 for value in lines)])
    # Room past the longest bar for its value label ("100,0%" is ~7 % of the axis).
    limit = top * 1.18 if top > 0 else 1.0
    locator = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10])
    ticks = [tick for tick in locator.tick_values(0, limit) if 0 <= tick <= limit]
    formatter = ValueTicks(tick_decimals(ticks), unit=data.unit, decimal_comma=data.decimal_comma)
    label_font = font_of(_LABEL_PT)
    value_axis: Axis

    if horizontal:
        axes.barh(positions, known, height=0.7, color=colors, zorder=2)
        axes.set_yticks(positions, labels, fontproperties=label_font)
        axes.set_ylim(len(labels) - 0.5, -0.5)  # first unit at the top, in reading order
        axes.set_xlim(0, limit)
        value_axis = axes.xaxis
        axes.grid(axis="x", color=_GRID_COLOR, zorder=0)
        if data.y_label:
            axes.set_xlabel(nfc(data.y_label), fontproperties=label_font)
    else:
        axes.bar(positions, known, width=0.7, color=colors, zorder=2)
        axes.set_xticks(positions, labels, fontproperties=label_font)
        axes.set_xlim(-0.5, len(labels) - 0.5)
        axes.set_ylim(0, limit)
        value_axis = axes.yaxis
        axes.grid(axis="y", color=_GRID_COLOR, zorder=0)
        if data.y_label:
            axes.set_ylabel(nfc(data.y_label), fontproperties=label_font)
    value_axis.set_major_locator(FixedLocator(ticks))
    value_axis.set_major_formatter(formatter)
    for tick_label in value_axis.get_ticklabels(which="major"):
        tick_label.set_fontproperties(label_font)
    axes.tick_params(length=0, pad=6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)

    line = axes.axvline if horizontal else axes.axhline
    if data.target is not None:
        line(data.target, color=_TARGET_COLOR, linestyle="--", linewidth=2, zorder=3)
    if data.second_target is not None:
        line(data.second_target, color=SECOND_TARGET_COLOR, linestyle="-.", linewidth=2, zorder=3)
    if data.average is not None:
        line(data.average, color=AVERAGE_COLOR, linestyle=":", linewidth=2.5, zorder=3)

    value_font = font_of(_LABEL_PT, bold=True)
    for position, value in zip(positions, data.values, strict=True):
        text = _MISSING if value is None else data.format_value(value)
        end = 0.0 if value is None else value
        xy = (end, position) if horizontal else (position, end)
        axes.annotate(
            text,
            xy=xy,
            xytext=(5, 0) if horizontal else (0, 4),
            textcoords="offset points",
            ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom",
            fontproperties=value_font,
            color=_MUTED_COLOR if value is None else "black",
            zorder=4,
            # White backing keeps a value readable where the target line crosses it.
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
        )


def _legend_entries(data: BarChart) -> list[Patch | Line2D]:
    """The colours that occur (met, below: only with a target), the targets and the average."""
    entries: list[Patch | Line2D] = []
    known = [value for value in data.values if value is not None]
    if data.target is not None:
        if any(data.meets_target(value) for value in known):
            entries.append(Patch(color=MET_COLOR, label=nfc(data.met_label)))
        if any(not data.meets_target(value) for value in known):
            entries.append(Patch(color=BELOW_COLOR, label=nfc(data.below_label)))
    if data.target is not None:
        text = line_label(data.target_name, data.format_value(data.target))
        entries.append(Line2D([], [], color=_TARGET_COLOR, linestyle="--", linewidth=2, label=text))
    if data.second_target is not None:
        text = line_label(data.second_target_name, data.format_value(data.second_target))
        entries.append(
            Line2D([], [], color=SECOND_TARGET_COLOR, linestyle="-.", linewidth=2, label=text)
        )
    if data.average is not None:
        text = line_label(data.average_name, data.format_value(data.average))
        entries.append(
            Line2D([], [], color=AVERAGE_COLOR, linestyle=":", linewidth=2.5, label=text)
        )
    return entries


def line_label(name: str, value: str) -> str:
    """ "Chỉ tiêu: 26,8%": a colon between, so a name ending in a number ("Thôn 1") and the
    value never read as one number."""
    return nfc(f"{name}: {value}" if name else value)


_LEGEND_ROOM_PX = 1100
_LEGEND_CHAR_PX = 0.58 * _LEGEND_PT * _DPI / 72  # a generous average DejaVu Sans letter
_LEGEND_HANDLE_PX = 90  # the handle and the spacing after it


def _legend_columns(entries: Sequence[Patch | Line2D]) -> tuple[int, int]:
    """Columns and rows: one row when the entries fit across the image, else two columns."""
    if not entries:
        return 0, 0
    widths = [
        _LEGEND_HANDLE_PX + _LEGEND_CHAR_PX * len(str(entry.get_label())) for entry in entries
    ]
    columns = len(entries) if sum(widths) <= _LEGEND_ROOM_PX else min(2, len(entries))
    if columns == 2 and max(widths) * 2 > _LEGEND_ROOM_PX:
        columns = 1
    return columns, math.ceil(len(entries) / columns)


def _draw_legend(axes: Axes, data: BarChart) -> None:
    """A legend between title and bars, outside the plot so it never hides a bar."""
    entries = _legend_entries(data)
    if not entries:
        return
    columns, _ = _legend_columns(entries)
    # Anchored to the axes (not the figure) so the layout engine stacks it under the title.
    axes.legend(
        handles=entries,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=columns,
        frameon=False,
        prop=font_of(_LEGEND_PT),
        handlelength=1.6,
        columnspacing=1.6,
    )
