"""A map of communes as PNG bytes: one coloured point per commune by a rate, for chairs.

The province office wants to see where the weak communes lie, not only which they are. The bot
ships each unit's point (lat/lon from the units file) and nothing else: no outlines, no tiles,
no network. So the map is the points themselves, placed by longitude and latitude at the
province's scale (a degree of longitude is shorter than one of latitude), coloured on a
colour-blind-safe scale with its colour bar, grey where the value is unknown, the best and
the weakest few labelled with their names and values, and a 10 km scale bar.

Several old communes can share a point (an old commune without a point of its own is placed at
the point of the commune that took it over): they are spread on a small ring around it, so each
stays one visible mark. `plotted_points` says where every mark goes and in which colour, without
drawing anything; `map_png` draws exactly those marks.

Like `bot.charts` (whose fonts, number format and render lock it shares), this module knows
nothing of Telegram, the database or translations, draws on a `Figure` with the Agg canvas
(never pyplot) and writes reproducible PNGs.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_hex
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator

from bot.charts import (
    AVERAGE_COLOR,
    RENDER_LOCK,
    SECOND_TARGET_COLOR,
    ValueTicks,
    font_of,
    format_number,
    line_label,
    nfc,
    tick_decimals,
    wrap_footnote,
)

__all__ = [
    "UNKNOWN_COLOR",
    "CommuneMap",
    "MapPoint",
    "Plotted",
    "draw_map",
    "map_png",
    "plotted_points",
]

UNKNOWN_COLOR = "#bbbbbb"
"""Communes without a value: a light grey that no colour of the scale comes near."""
_SCALE = "viridis"  # perceptually even, readable with the common colour-vision deficiencies
_EDGE_COLOR = "#333333"
_TARGET_COLOR = "#222222"
_MUTED_COLOR = "#555555"

_DPI = 150
_WIDTH_IN = 8.0  # 1200 px, as the charts
_MIN_HEIGHT_IN = 16 / 3
_MAX_HEIGHT_IN = 9.2  # under 1,400 px
_CHROME_IN = 2.6  # title, legend, colour bar and footnote around the map
_TITLE_PT = 15.0
_LABEL_PT = 9.0
_LEGEND_PT = 11.0
_FOOTNOTE_PT = 10.0
_TITLE_WRAP = 56
_MARK_SIZE = 110.0  # points², ~11 px across: 104 communes do not touch
_ALL_LABELLED = 24
"""Up to this many communes every one is labelled; past it only the best and weakest few."""
_RING_KM = 1.8  # how far from a shared point its communes are spread, for two
_KM_PER_DEGREE = 111.32
_MAX_POINTS = 2_000


@dataclass(frozen=True)
class MapPoint:
    """One commune: its short name (no "Xã"), where it lies (degrees) and its value."""

    name: str
    lat: float
    lon: float
    value: float | None


@dataclass(frozen=True)
class CommuneMap:
    """Every text is already translated. ``values`` are percentages by default (``unit``);
    ``target``, ``second_target`` (the national programme's beside the province's) and
    ``average`` are marked on the colour bar and named in the legend (``"{target_name}:
    {value}"``); ``unknown_label`` names the grey points; ``labelled`` is
    how many of the best and of the weakest get their name when there are many points."""

    title: str
    points: Sequence[MapPoint]
    scale_label: str
    unknown_label: str
    footnote: str = ""
    target: float | None = None
    target_name: str = ""
    average: float | None = None
    average_name: str = ""
    second_target: float | None = None
    second_target_name: str = ""
    unit: str = "%"
    decimal_comma: bool = True
    labelled: int = 5

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("a map needs at least one point")
        if len(self.points) > _MAX_POINTS:
            raise ValueError(f"{len(self.points)} points; at most {_MAX_POINTS} fit on one map")
        for point in self.points:
            if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
                raise ValueError(f"{point.name}: not a point on Earth ({point.lat}, {point.lon})")
            if point.value is not None and not math.isfinite(point.value):
                raise ValueError(f"{point.name}: value must be finite: {point.value}")

    def format_value(self, value: float) -> str:
        """As the bar charts print a rate: "26,8%", "0,25%"."""
        if 0 < value < 0.005:
            return "<" + format_number(0.01, 2, decimal_comma=self.decimal_comma) + self.unit
        decimals = 0 if value == 0 else 2 if abs(value) < 1 else 1
        return format_number(value, decimals, decimal_comma=self.decimal_comma) + self.unit


@dataclass(frozen=True)
class Plotted:
    """Where one commune's mark is drawn and how."""

    name: str
    x: float
    """Longitude, moved onto a ring when several communes share the point."""
    y: float
    """Latitude, likewise."""
    value: float | None
    color: str
    """``#rrggbb``: the scale's colour of the value, or `UNKNOWN_COLOR`."""
    label: str | None
    """The name (and value) written beside the mark; None when it is left unlabelled."""


def _range(data: CommuneMap) -> tuple[float, float]:
    """The colour scale spans the known values (from 0 when they are all the same)."""
    known = [point.value for point in data.points if point.value is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = min(0.0, low), max(high, 1.0)
    return low, high


def _norm(data: CommuneMap) -> Normalize:
    low, high = _range(data)
    return Normalize(vmin=low, vmax=high)


def _spread(points: Sequence[MapPoint]) -> list[tuple[float, float]]:
    """Each point's drawn position: points sharing a spot go round a ring about it, in name
    order, so no mark hides another."""
    groups: dict[tuple[float, float], list[int]] = defaultdict(list)
    for index, point in enumerate(points):
        groups[(round(point.lat, 5), round(point.lon, 5))].append(index)
    placed = [(point.lon, point.lat) for point in points]
    for (lat, lon), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: (nfc(points[i].name).casefold(), i))
        radius = _RING_KM * (1 + (len(members) - 2) / 6) / _KM_PER_DEGREE
        squeeze = math.cos(math.radians(lat)) or 1.0
        for slot, index in enumerate(members):
            angle = 2 * math.pi * slot / len(members) + math.pi / 2
            placed[index] = (
                lon + radius * math.cos(angle) / squeeze,
                lat + radius * math.sin(angle),
            )
    return placed


def _labelled(data: CommuneMap) -> set[int]:
    """All points when few; else the `labelled` best and weakest known ones."""
    if len(data.points) <= _ALL_LABELLED:
        return set(range(len(data.points)))
    known = sorted(
        (i for i, point in enumerate(data.points) if point.value is not None),
        key=lambda i: (-(data.points[i].value or 0.0), nfc(data.points[i].name).casefold()),
    )
    count = min(data.labelled, len(known) // 2)
    return {*known[:count], *known[len(known) - count :]} if count else set(known)


def plotted_points(data: CommuneMap) -> list[Plotted]:
    """One mark per point of ``data``, in its order: position, colour, label."""
    norm = _norm(data)
    scale = colormaps[_SCALE]
    labelled = _labelled(data)
    found = []
    for index, (point, (x, y)) in enumerate(zip(data.points, _spread(data.points), strict=True)):
        color = UNKNOWN_COLOR if point.value is None else to_hex(scale(norm(point.value)))
        label = None
        if index in labelled:
            name = nfc(point.name)
            label = name if point.value is None else f"{name} {data.format_value(point.value)}"
        found.append(Plotted(nfc(point.name), x, y, point.value, color, label))
    return found


def map_png(data: CommuneMap) -> bytes:
    """Render ``data`` as a PNG, 1200 px wide, at most ~1,400 px high."""
    with RENDER_LOCK:
        figure = draw_map(data)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
        figure.clear()
    return buffer.getvalue()


def _extent(marks: Sequence[Plotted]) -> tuple[float, float, float, float, float]:
    """x0, x1, y0, y1 with a margin, and the squeeze of a degree of longitude there."""
    xs, ys = [mark.x for mark in marks], [mark.y for mark in marks]
    middle = (min(ys) + max(ys)) / 2
    squeeze = math.cos(math.radians(middle)) or 1.0
    pad_y = max(0.02, 0.06 * (max(ys) - min(ys)))
    pad_x = max(0.02 / squeeze, 0.06 * (max(xs) - min(xs)))
    return min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y, squeeze


def draw_map(data: CommuneMap) -> Figure:
    """The map as a matplotlib figure on the Agg canvas, not yet rendered."""
    marks = plotted_points(data)
    x0, x1, y0, y1, squeeze = _extent(marks)
    ground_ratio = (y1 - y0) / ((x1 - x0) * squeeze)
    footnote = wrap_footnote(data.footnote)
    footnote_lines = footnote.count("\n") + 1 if footnote else 0
    height = _WIDTH_IN * 0.9 * ground_ratio + _CHROME_IN + 0.2 * max(0, footnote_lines - 1)
    height = min(_MAX_HEIGHT_IN, max(_MIN_HEIGHT_IN, height))
    footnote_in = (0.45 + 0.2 * max(0, footnote_lines - 1)) if footnote else 0.1
    figure = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI, facecolor="white")
    figure.set_layout_engine(
        ConstrainedLayoutEngine(rect=(0.0, footnote_in / height, 1.0, 1.0 - footnote_in / height))
    )
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # The limits stay automatic (the extent as data limits, no margins) so that the aspect
    # widens them to fill the laid-out box rather than shrinking the box under the legend.
    axes.update_datalim([(x0, y0), (x1, y1)])
    axes.margins(0)
    axes.set_aspect(1 / squeeze, adjustable="datalim")
    axes.set_xticks([])
    axes.set_yticks([])
    for side in axes.spines.values():
        side.set_color("#CCCCCC")

    unknown = [mark for mark in marks if mark.value is None]
    known = [mark for mark in marks if mark.value is not None]
    axes.scatter(
        [m.x for m in unknown],
        [m.y for m in unknown],
        s=_MARK_SIZE,
        c=[m.color for m in unknown],
        edgecolors="#888888",
        linewidths=0.8,
        zorder=2,
    )
    axes.scatter(
        [m.x for m in known],
        [m.y for m in known],
        s=_MARK_SIZE,
        c=[m.color for m in known],
        edgecolors=_EDGE_COLOR,
        linewidths=0.8,
        zorder=3,
    )
    _draw_colour_bar(figure, axes, data)
    _draw_legend(axes, data, len(unknown))

    title = "\n".join(textwrap.wrap(nfc(data.title), _TITLE_WRAP)) or " "
    figure.suptitle(title, fontproperties=font_of(_TITLE_PT, bold=True))
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
    # Labels go where the laid-out map leaves them room, so the layout is done first.
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
    axes.apply_aspect()
    (left, right), (bottom, top) = axes.get_xlim(), axes.get_ylim()
    _draw_scale_bar(axes, left, right, bottom, top, squeeze)
    axes.set_xlim(left, right)  # the scale bar's line must not widen them again
    axes.set_ylim(bottom, top)
    _draw_labels(axes, marks)
    return figure


_PX_PER_PT = _DPI / 72
_LABEL_CHAR_PX = 0.56 * _LABEL_PT * _PX_PER_PT  # a generous average DejaVu Sans letter
_LABEL_HEIGHT_PX = 1.35 * _LABEL_PT * _PX_PER_PT
_MARK_RADIUS_PX = math.sqrt(_MARK_SIZE) / 2 * _PX_PER_PT
# Where a label may go about its mark: offset (points) and alignment, in order of preference.
_SPOTS: tuple[tuple[float, float, str, str], ...] = (
    (7, 0, "left", "center"),
    (-7, 0, "right", "center"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (6, 6, "left", "bottom"),
    (-6, 6, "right", "bottom"),
    (6, -6, "left", "top"),
    (-6, -6, "right", "top"),
)
Box = tuple[float, float, float, float]


def _box(x: float, y: float, spot: tuple[float, float, str, str], width: float) -> Box:
    """The pixels a label would cover (x0, y0, x1, y1) at a spot about the point (x, y)."""
    dx, dy, ha, va = spot
    left = x + dx * _PX_PER_PT - {"left": 0.0, "center": width / 2, "right": width}[ha]
    bottom = (
        y
        + dy * _PX_PER_PT
        - {"bottom": 0.0, "center": _LABEL_HEIGHT_PX / 2}.get(va, _LABEL_HEIGHT_PX)
    )
    return left, bottom, left + width, bottom + _LABEL_HEIGHT_PX


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _cost(box: Box, frame: Box, taken: Sequence[Box], own: int) -> float:
    """How bad a label's place is: off the map is worst, then the area it covers of others."""
    inside = frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
    covered = sum(_overlap(box, other) for number, other in enumerate(taken) if number != own)
    return covered + (0.0 if inside else 1e9)


def _draw_labels(axes: Axes, marks: Sequence[Plotted]) -> None:
    """Beside each labelled mark, on white, at the first spot about it that covers no other
    label, no other mark and stays on the map (else the least covering one)."""
    font = font_of(_LABEL_PT)
    pixels = axes.transData.transform([(mark.x, mark.y) for mark in marks])
    extent = axes.get_window_extent()
    frame = (extent.x0, extent.y0, extent.x1, extent.y1)
    r = _MARK_RADIUS_PX
    taken: list[Box] = [(px - r, py - r, px + r, py + r) for px, py in pixels]
    for index, mark in enumerate(marks):
        if mark.label is None:
            continue
        x, y = pixels[index]
        width = _LABEL_CHAR_PX * len(mark.label) + 4
        spot, box = min(
            ((spot, _box(x, y, spot, width)) for spot in _SPOTS),
            key=lambda found: _cost(found[1], frame, taken, index),
        )
        taken.append(box)
        dx, dy, ha, va = spot
        axes.annotate(
            mark.label,
            xy=(mark.x, mark.y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontproperties=font,
            zorder=5,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
            },
        )


def _draw_scale_bar(axes: Axes, x0: float, x1: float, y0: float, y1: float, squeeze: float) -> None:
    """10 km (5 km on a small map) in the lower left corner."""
    km = 10.0 if (x1 - x0) * squeeze * _KM_PER_DEGREE > 40 else 5.0
    length = km / (_KM_PER_DEGREE * squeeze)
    left, bottom = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    axes.plot([left, left + length], [bottom, bottom], color=_TARGET_COLOR, linewidth=3, zorder=4)
    axes.annotate(
        f"{format_number(km, 0)} km",
        xy=(left + length / 2, bottom),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontproperties=font_of(_LABEL_PT),
        zorder=4,
    )


def _draw_colour_bar(figure: Figure, axes: Axes, data: CommuneMap) -> None:
    """The scale under the map, with its ticks in Vietnamese numbers and the targets and the
    average marked where they fall on it."""
    low, high = _range(data)
    mappable = ScalarMappable(norm=_norm(data), cmap=colormaps[_SCALE])
    bar = figure.colorbar(mappable, ax=axes, orientation="horizontal", fraction=0.045, pad=0.03)
    ticks = [
        tick
        for tick in MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
        if low - 1e-9 <= tick <= high + 1e-9
    ]
    bar.ax.xaxis.set_major_locator(FixedLocator(ticks))
    bar.ax.xaxis.set_major_formatter(
        ValueTicks(tick_decimals(ticks), unit=data.unit, decimal_comma=data.decimal_comma)
    )
    font = font_of(_LEGEND_PT)
    for label in bar.ax.get_xticklabels():
        label.set_fontproperties(font)
    bar.set_label(nfc(data.scale_label), fontproperties=font)
    for value, color, style in (
        (data.target, _TARGET_COLOR, "--"),
        (data.second_target, SECOND_TARGET_COLOR, "-."),
        (data.average, AVERAGE_COLOR, ":"),
    ):
        if value is not None and low <= value <= high:
            bar.ax.axvline(value, color=color, linestyle=style, linewidth=2.5)


def _draw_legend(axes: Axes, data: CommuneMap, unknown: int) -> None:
    """The grey of unknown values, the targets and the average, above the map."""
    entries: list[Line2D] = []
    if unknown:
        entries.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=10,
                markerfacecolor=UNKNOWN_COLOR,
                markeredgecolor="#888888",
                label=nfc(f"{data.unknown_label} ({format_number(unknown, 0)})"),
            )
        )
    if data.target is not None:
        text = line_label(data.target_name, data.format_value(data.target))
        entries.append(
            Line2D([], [], color=_TARGET_COLOR, linestyle="--", linewidth=2.5, label=text)
        )
    if data.second_target is not None:
        text = line_label(data.second_target_name, data.format_value(data.second_target))
        entries.append(
            Line2D([], [], color=SECOND_TARGET_COLOR, linestyle="-.", linewidth=2.5, label=text)
        )
    if data.average is not None:
        text = line_label(data.average_name, data.format_value(data.average))
        entries.append(
            Line2D([], [], color=AVERAGE_COLOR, linestyle=":", linewidth=2.5, label=text)
        )
    if not entries:
        return
    # Anchored to the axes (not the figure) so the layout engine stacks it under the title.
    axes.legend(
        handles=entries,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=min(len(entries), 2),
        frameon=False,
        prop=font_of(_LEGEND_PT),
        handlelength=1.6,
        columnspacing=1.6,
    )
