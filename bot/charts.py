"""Bar charts of per-unit statistics as PNG bytes, for chairs reading them on a phone.

The bot sends the PNG as a Telegram photo, which chairs look at on a phone and paste into
reports to the province. So the chart is wide (1200 px), uses large fonts, prints each value at
the end of its bar (nobody reads values off an axis on a phone), and turns to horizontal bars
when there are many units or long names rather than rotating labels. A district's ~40 communes
make a tall image instead of cramped bars.

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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

__all__ = [
    "BELOW_COLOR",
    "FONT_PATH",
    "MET_COLOR",
    "BarChart",
    "Orientation",
    "bar_chart_png",
    "format_number",
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
_MUTED_COLOR = "#555555"
_GRID_COLOR = "#DDDDDD"

_DPI = 150
_WIDTH_IN = 8.0  # 1200 px: shown unscaled (Telegram shrinks a photo to fit 1280 or 2560 px)
_MIN_HEIGHT_IN = 16 / 3  # 800 px
_ROW_IN = 0.36  # one horizontal bar with a 12 pt label, without overlap
_CHROME_IN = 2.4  # title, legend, value axis and footnote around the bars

# Sizes in points; at 150 dpi 1 pt ≈ 2.1 px, so the smallest text (footnote) is ~21 px high.
_TITLE_PT = 15.0
_LABEL_PT = 12.0
_LEGEND_PT = 11.0
_FOOTNOTE_PT = 10.0

_TITLE_WRAP = 56  # characters per bold 15 pt title line across 1200 px, with margins
_LABEL_WRAP = 28  # a horizontal bar's label wraps after this; past 2 lines it ends with "…"
_MISSING = "—"
_MAX_UNITS = 200  # far more than any district's communes; protects against a runaway query

# Matplotlib is not thread-safe (font cache, text layout cache); the bot renders charts in
# worker threads via asyncio.to_thread, so renders are serialised.
_RENDER_LOCK = threading.Lock()


def format_number(value: float, decimals: int = 1, *, decimal_comma: bool = True) -> str:
    """Format like Vietnamese users write numbers: ``1.234,5`` (or ``1,234.5`` without the flag).

    Vietnamese uses a comma for decimals and a dot for thousands; a chart saying ``26.8%`` reads
    as a typo to a chair and gets corrected by hand in the report.
    """
    text = f"{value:,.{decimals}f}"
    if decimal_comma:
        text = text.translate(str.maketrans(",.", ".,"))
    return text


@dataclass(frozen=True)
class BarChart:
    """One bar per unit; all text is already translated by the caller.

    ``values`` are percentages (0..100) by default; ``None`` is an unknown value, drawn as an
    empty slot labelled "—" rather than as a misleading zero. ``target`` draws a reference
    line labelled ``"{target_name} {value}"`` (e.g. "Chỉ tiêu 26,8%") and colours each bar by
    whether it meets the target; ``met_label`` and ``below_label`` name those colours in the
    legend and are required with a target. ``value_format`` overrides how bar values are
    printed; by default they get one decimal, ``unit`` appended, and a decimal comma unless
    ``decimal_comma`` is false. ``y_label`` names the value axis (horizontal when the bars are).
    ``footnote`` is the source/date line at the bottom; a long one, or one with line breaks
    (the map the figures are on, a rule used), takes the lines it needs.
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

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError(f"{len(self.labels)} labels but {len(self.values)} values")
        if not self.labels:
            raise ValueError("a bar chart needs at least one unit")
        if len(self.labels) > _MAX_UNITS:
            raise ValueError(f"{len(self.labels)} units; at most {_MAX_UNITS} fit on one chart")
        for value in [*self.values, self.target]:
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ValueError(f"values must be finite and ≥ 0 (bars start at zero): {value}")
        if self.target is not None and not (self.met_label and self.below_label):
            raise ValueError("a chart with a target needs met_label and below_label")

    def format_value(self, value: float) -> str:
        """The text printed at the end of a bar and in the target's legend entry."""
        if self.value_format is not None:
            return self.value_format(value)
        return format_number(value, 1, decimal_comma=self.decimal_comma) + self.unit

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
            lines = textwrap.wrap(_nfc(label), chars, break_long_words=False)
            if len(lines) > 2 or any(len(line) > chars for line in lines):
                return True
        return False

    def meets_target(self, value: float) -> bool:
        """Whether a bar gets the "met" colour; always true without a target."""
        if self.target is None:
            return True
        return value >= self.target if self.higher_is_better else value <= self.target


def bar_chart_png(data: BarChart) -> bytes:
    """Render ``data`` as a PNG, 1200 px wide, 800 px high or taller for many units."""
    labels = [_nfc(label) for label in data.labels]
    with _RENDER_LOCK:
        figure = _draw(data, labels, data.horizontal)
        buffer = io.BytesIO()
        # metadata: drop the "Software: matplotlib version …" chunk so output is reproducible.
        figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
        figure.clear()  # break reference cycles now; the Figure is never registered globally
    return buffer.getvalue()


def _nfc(text: str) -> str:
    """Compose diacritics: decomposed input (from some keyboards) would draw marks misplaced."""
    return unicodedata.normalize("NFC", text)


_FOOTNOTE_WRAP = 120  # characters of 10 pt across 1200 px, with margins
_FOOTNOTE_LINE_IN = 0.2


def _footnote_lines(text: str) -> str:
    """The footnote wrapped to the width of the image, its own line breaks kept."""
    lines = []
    for line in _nfc(text).splitlines():
        lines += textwrap.wrap(line, _FOOTNOTE_WRAP) or [""]
    return "\n".join(lines).strip("\n")


def _font(size: float, *, bold: bool = False) -> FontProperties:
    return FontProperties(fname=_BOLD_FONT_PATH if bold else FONT_PATH, size=size)


def _vertical_chars_per_line(count: int) -> int:
    """How many characters of a 12 pt label fit under one of ``count`` vertical bars."""
    slot_px = 0.82 * _WIDTH_IN * _DPI / count
    char_px = 0.62 * _LABEL_PT * _DPI / 72  # a generous average DejaVu Sans letter
    return max(1, int(slot_px / char_px))


def _draw(data: BarChart, labels: list[str], horizontal: bool) -> Figure:
    if horizontal:
        # At most two lines per label, and every row as tall as the tallest label needs: bars
        # are evenly spaced, so one 2-line label widens the spacing of all.
        wrapped = [
            textwrap.fill(label, _LABEL_WRAP, max_lines=2, placeholder=" …") for label in labels
        ]
        row_in = _ROW_IN * (1.5 if any("\n" in label for label in wrapped) else 1.0)
        height = max(_MIN_HEIGHT_IN, _CHROME_IN + row_in * len(labels))
    else:
        chars = _vertical_chars_per_line(len(labels))
        wrapped = [textwrap.fill(label, chars, break_long_words=False) for label in labels]
        height = _MIN_HEIGHT_IN
    footnote = _footnote_lines(data.footnote)
    footnote_in = (0.45 + _FOOTNOTE_LINE_IN * (footnote.count("\n"))) if footnote else 0.1
    figure = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI, facecolor="white")
    figure.set_layout_engine(
        ConstrainedLayoutEngine(rect=(0.0, footnote_in / height, 1.0, 1.0 - footnote_in / height))
    )
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _draw_bars(axes, data, wrapped, horizontal)

    title = "\n".join(textwrap.wrap(_nfc(data.title), _TITLE_WRAP)) or " "
    figure.suptitle(title, fontproperties=_font(_TITLE_PT, bold=True))
    _draw_legend(axes, data)
    if footnote:
        figure.text(
            0.012,
            0.12 / height,
            footnote,
            fontproperties=_font(_FOOTNOTE_PT),
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
    top = max([*known, data.target or 0.0])
    # Room past the longest bar for its value label ("100,0%" is ~7 % of the axis).
    limit = top * 1.18 if top > 0 else 1.0
    locator = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10])
    ticks = [tick for tick in locator.tick_values(0, limit) if 0 <= tick <= limit]
    tick_labels = [data.format_tick(tick) for tick in ticks]
    label_font = _font(_LABEL_PT)

    if horizontal:
        axes.barh(positions, known, height=0.7, color=colors, zorder=2)
        axes.set_yticks(positions, labels, fontproperties=label_font)
        axes.set_ylim(len(labels) - 0.5, -0.5)  # first unit at the top, in reading order
        axes.set_xlim(0, limit)
        axes.set_xticks(ticks, tick_labels, fontproperties=label_font)
        axes.grid(axis="x", color=_GRID_COLOR, zorder=0)
        if data.y_label:
            axes.set_xlabel(_nfc(data.y_label), fontproperties=label_font)
    else:
        axes.bar(positions, known, width=0.7, color=colors, zorder=2)
        axes.set_xticks(positions, labels, fontproperties=label_font)
        axes.set_xlim(-0.5, len(labels) - 0.5)
        axes.set_ylim(0, limit)
        axes.set_yticks(ticks, tick_labels, fontproperties=label_font)
        axes.grid(axis="y", color=_GRID_COLOR, zorder=0)
        if data.y_label:
            axes.set_ylabel(_nfc(data.y_label), fontproperties=label_font)
    axes.tick_params(length=0, pad=6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)

    if data.target is not None:
        line = axes.axvline if horizontal else axes.axhline
        line(data.target, color=_TARGET_COLOR, linestyle="--", linewidth=2, zorder=3)

    value_font = _font(_LABEL_PT, bold=True)
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


def _draw_legend(axes: Axes, data: BarChart) -> None:
    """A one-row legend between title and bars, outside the plot so it never hides a bar."""
    if data.target is None:
        return
    handles = [
        Patch(color=MET_COLOR, label=_nfc(data.met_label)),
        Patch(color=BELOW_COLOR, label=_nfc(data.below_label)),
        Line2D(
            [],
            [],
            color=_TARGET_COLOR,
            linestyle="--",
            linewidth=2,
            label=_nfc(" ".join(filter(None, [data.target_name, data.format_value(data.target)]))),
        ),
    ]
    # Anchored to the axes (not the figure) so the layout engine stacks it under the title.
    axes.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=3,
        frameon=False,
        prop=_font(_LEGEND_PT),
        handlelength=1.6,
        columnspacing=1.6,
    )
