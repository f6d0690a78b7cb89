"""Chart geometry: where each bar, label and tick of an indicator's bar chart goes.

The chart itself is drawn by `macros/chart.j2` as SVG whose words are `<text>` (selectable,
searchable, crisp in print); this module only measures and places. A chart has one panel per set
of values that two or more cases report and that may share an axis (see `compare`: each pair
可直接比较 or 可参照), so values that are 不可比较 are never drawn against one scale. In a panel,
the bars that compare directly with its reference value are solid; a 可参照 bar is hatched and its
differences are written under it. Within one case, a set is drawn only when the indicator has a
scale of its own (a percentage, 0–100).
Text widths are estimated (full-width characters one em, others about half), which is enough
to reserve room, as the fonts are the reader's own.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from casebook.library.compare import DIRECT, ComparableSet, Comparison, Reported, exact_key, grade

WIDTH = 420  # natural size on a desktop; a phone shrinks it to about 0.85 (text stays ~11px)
PAD = 12
TITLE_SIZE, TEXT_SIZE, SMALL_SIZE = 15, 13, 12
ROW, BAR = 26, 16
MIN_PLOT = 160  # narrowest plot area; a chart grows wider before its bars get shorter
_NO_LINE_START = set("，。；：、）》”’！？%")
_TOKEN = re.compile(r"[A-Za-z0-9.,%+\-–]+|.", re.S)


@dataclass(frozen=True)
class Bar:
    item: Reported
    label: str  # who reports it, numbered when one case has several values in a panel
    y: float  # top of the bar
    x: float
    width: float
    range_x: float  # the part up to value_max, for ranges (width 0 otherwise)
    range_width: float
    text_y: float  # baseline of the label and the value
    value_x: float
    hatched: bool = False  # 可参照 against the panel's reference value
    notes: tuple[tuple[float, str], ...] = ()  # (baseline, line): how it differs from the reference


@dataclass(frozen=True)
class Tick:
    value: float
    x: float


@dataclass
class Panel:
    group: ComparableSet
    reference: Reported  # the value the others are graded against
    reference_label: str
    heading_y: float
    facts: list[tuple[float, str]]  # (baseline, line)
    bars: list[Bar]
    axis_y: float
    ticks: list[Tick]


@dataclass
class Chart:
    id: str
    width: float
    height: float
    title: list[tuple[float, str]]
    subtitle_y: float
    label_x: float  # labels end here (text-anchor end)
    x0: float  # the plot area
    x1: float
    panels: list[Panel] = field(default_factory=list)
    omitted: int = 0  # values of the drawn sets left out by `limit` (see bar_chart)

    @property
    def separate(self) -> bool:
        """True when panels of different sets are drawn: their values are not comparable."""
        return len(self.panels) > 1

    @property
    def hatched(self) -> bool:
        return any(bar.hatched for panel in self.panels for bar in panel.bars)


def text_width(text: str, size: float) -> float:
    """Estimated width of `text` at font size `size`: full-width characters 1 em, others 0.6."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy line breaking for CJK text: anywhere, except inside a Latin/digit run or before
    closing punctuation."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if line and text_width(line + token, size) > width and token[0] not in _NO_LINE_START:
            lines.append(line)
            line = token.lstrip()
        else:
            line += token
    return [*lines, line] if line else lines


def scale_bounds(indicator: Mapping[str, Any]) -> tuple[float, float] | None:
    """The indicator's own scale (its minimum and maximum; 0–100 for percentages), if any."""
    percent = indicator["unit"] == "%"
    low = indicator.get("minimum", 0 if percent else None)
    high = indicator.get("maximum", 100 if percent else None)
    return (low, high) if low is not None and high is not None and high > low else None


def _nice_step(span: float, count: int) -> float:
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _shown(number: float) -> str:
    """Roughly how the template prints a number (thousands separators), to measure it."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,.4f}".rstrip("0")


def axis(values: list[float], bounds: tuple[float, float] | None, plot_width: float
         ) -> tuple[float, float, list[float]]:
    """Domain and tick values: the indicator's bounds, or zero to a round number past the data.

    Fewer ticks are used when their labels would touch.
    """
    for count in (5, 4, 3, 2, 1):
        if bounds:
            low, high = bounds
            step = _nice_step(high - low, count)
        else:
            low, high = min(0.0, *values), max(0.0, *values)
            if high == low:
                high = low + 1
            step = _nice_step(high - low, count)
            low, high = math.floor(low / step) * step, math.ceil(high / step) * step
        ticks = [t for i in range(int((high - low) / step + 1e-9) + 1) if (t := round(low + i * step, 9)) <= high]
        widest = max(text_width(_shown(t), SMALL_SIZE) for t in ticks)
        if count == 1 or plot_width * step / (high - low) >= widest + 10:
            return low, high, ticks
    raise AssertionError("unreachable")  # pragma: no cover


def _round(number: float) -> float:
    rounded = round(number, 1)
    return int(rounded) if float(rounded).is_integer() else rounded


def _ordered(members: list[Reported]) -> list[Reported]:
    """Largest first; ties keep the order of the records."""
    return sorted(members, key=lambda m: -m.value["value"])


def _labels(members: list[Reported]) -> dict[tuple[str, str], str]:
    """Who reports each value; several values of one case in a panel are numbered （1）（2）."""
    counts = Counter(m.who for m in members)
    seen: Counter[str] = Counter()
    labels = {}
    for member in members:
        seen[member.who] += 1
        suffix = f"（{seen[member.who]}）" if counts[member.who] > 1 else ""
        labels[member.key] = member.who + suffix
    return labels


def _value_label_estimate(value: Mapping[str, Any]) -> str:
    shown = _shown(value["value"]) + (f"–{_shown(value['value_max'])}" if "value_max" in value else "")
    return "≥" + shown + value["unit"]


def drawn_sets(indicator: Mapping[str, Any], comparison: Comparison) -> list[ComparableSet]:
    """The sets a chart draws: those of two or more cases, and, on the indicator's own scale
    (a percentage), a set of several values of one case."""
    bounds = scale_bounds(indicator)
    return [s for s in comparison.sets if s.comparable or (bounds and len(s.members) >= 2)]


def reference_of(members: list[Reported]) -> Reported:
    """The value the others are graded against: the first of the largest group of values that
    are directly comparable with each other (else the first value)."""
    keys = [exact_key(m) for m in members]
    sizes = Counter(k for k in keys if k is not None)
    if not sizes:
        return members[0]
    largest = max(sizes.values())
    return next(m for m, k in zip(members, keys, strict=True) if k is not None and sizes[k] == largest)


def _kept(group: ComparableSet, limit: int | None) -> list[Reported]:
    """The members a panel draws: all, or the `limit` largest with the set's reference value."""
    if not limit or len(group.members) <= limit:
        return group.members
    reference = reference_of(group.members)
    others = {id(m) for m in _ordered([m for m in group.members if m is not reference])[:limit - 1]}
    return [m for m in group.members if m is reference or id(m) in others]


def bar_chart(indicator: Mapping[str, Any], comparison: Comparison,
              limit: int | None = None) -> Chart | None:
    """Layout of the indicator's chart, or None when nothing can be drawn (see `drawn_sets`).

    `limit`: the most bars a panel draws (the largest values and the set's reference value, which
    the others are graded against); how many were left out is `Chart.omitted`.
    """
    bounds = scale_bounds(indicator)
    groups = drawn_sets(indicator, comparison)
    if not groups:
        return None
    drawn = [(g, _kept(g, limit)) for g in groups]
    members = [m for _, kept in drawn for m in kept]
    labels = {k: v for _, kept in drawn for k, v in _labels(_ordered(kept)).items()}
    label_w = min(max(48.0, max(text_width(labels[m.key], TEXT_SIZE) for m in members) + 10), 170.0)
    value_w = max(text_width(_value_label_estimate(m.value), TEXT_SIZE) for m in members) + 10
    width = max(WIDTH, PAD + label_w + MIN_PLOT + value_w + PAD)  # wider rather than clipped
    x0, x1 = PAD + label_w, width - PAD - value_w
    chart = Chart(id=f"chart-{indicator['id']}", width=_round(width), height=0, title=[],
                  subtitle_y=0, label_x=_round(x0 - 6), x0=_round(x0), x1=_round(x1))
    y: float = PAD
    for line in wrap(indicator["name"], width - 2 * PAD, TITLE_SIZE):
        y += 20
        chart.title.append((y, line))
    y += 18
    chart.subtitle_y = y
    y += 10
    chart.omitted = sum(len(g.members) - len(kept) for g, kept in drawn)
    for group, kept in drawn:
        chart.panels.append(_panel(group, kept, labels, bounds, x0, x1, y, width))
        y = chart.panels[-1].axis_y + 22 + 16
    chart.height = _round(y - 16 + PAD)
    return chart


def _panel(group: ComparableSet, kept: list[Reported], labels: dict[tuple[str, str], str],
           bounds: tuple[float, float] | None, x0: float, x1: float, y: float, width: float) -> Panel:
    y += 18
    heading_y = y
    facts = []
    for line in wrap(group.facts, width - 2 * PAD, SMALL_SIZE):
        y += 16
        facts.append((_round(y), line))
    y += 8
    members = _ordered(kept)
    reference = reference_of(group.members)  # of the whole set, as the table grades
    numbers = [n for m in members for n in (m.value["value"], m.value.get("value_max", m.value["value"]))]
    low, high, ticks = axis(numbers, bounds, x1 - x0)

    def x_of(number: float) -> float:
        return x0 + (min(max(number, low), high) - low) / (high - low) * (x1 - x0)

    zero = x_of(0)
    bars = []
    for member in members:
        value = member.value
        end = x_of(value["value"])
        top = x_of(value.get("value_max", value["value"]))
        graded = grade(member, reference) if member is not reference else None
        hatched = graded is not None and graded.grade != DIRECT
        notes: list[tuple[float, str]] = []
        if hatched:
            said = f"与{labels[reference.key]}相比：" + "；".join(graded.differences)
            for i, line in enumerate(wrap(said, width - 2 * PAD - 12, SMALL_SIZE)):
                notes.append((_round(y + ROW + 4 + i * 15), line))
        bars.append(Bar(item=member, label=labels[member.key], y=_round(y + (ROW - BAR) / 2),
                        x=_round(min(zero, end)), width=_round(abs(end - zero)),
                        range_x=_round(end), range_width=_round(top - end),
                        text_y=_round(y + ROW / 2 + TEXT_SIZE * 0.35), value_x=_round(max(zero, end, top) + 4),
                        hatched=hatched, notes=tuple(notes)))
        y += ROW + (len(notes) * 15 + 6 if notes else 0)
    return Panel(group=group, reference=reference, reference_label=labels[reference.key], heading_y=_round(heading_y), facts=facts, bars=bars,
                 axis_y=_round(y + 2), ticks=[Tick(t, _round(x_of(t))) for t in ticks])
