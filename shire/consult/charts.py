"""Charts for the results report, drawn with matplotlib and returned as SVG (for the HTML and PDF
reports, inline, so they render offline) or PNG (for Word documents).

Every chart is an illustration of a table printed beside it, which is its text alternative; the
SVG carries role="img" and an aria-label that says so. Labels come from questionnaires and
workshop names, so they are drawn as literal text (no mathtext) and matplotlib escapes them in SVG.
"""
import io
import itertools
import re
import textwrap
from html import escape

import matplotlib

matplotlib.use("Agg")
from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# GOV.UK Design System colours: blue for single series, then a palette that stays distinct in
# greyscale print. (Agreement scales bring their own colours: reports.AGREEMENT_COLOURS.)
BLUE = "#1d70b8"
PALETTE = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#28a197", "#6f72af", "#b58840"]
TEXT = "#0b0c0c"
GRID = "#b1b4b6"

_RC = {
    "svg.fonttype": "none",  # text stays text: searchable in the PDF, smaller files
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.parse_math": False,
    "axes.edgecolor": GRID,
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
}
_counter = itertools.count(1)


def _wrap(label, width=38):
    return "\n".join(textwrap.wrap(str(label), width=width, break_long_words=True)) or " "


def _figure(rows, extra=0.0, width=6.6):
    height = 0.55 + 0.34 * rows + extra
    return Figure(figsize=(width, max(height, 1.2)), dpi=100, layout="constrained")


def _finish(fig, fmt, alt):
    buf = io.BytesIO()
    salt = f"c{next(_counter)}"
    with rc_context({**_RC, "svg.hashsalt": salt}):
        fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None, dpi=150 if fmt == "png" else None)
    data = buf.getvalue()
    if fmt != "svg":
        return data
    svg = data.decode("utf-8")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype: the SVG goes inline
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # matplotlib's <style> sets stroke joins for "*": inline in HTML it would style the whole page.
    svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", "", svg, flags=re.S)
    # Several charts share one HTML page: give every id this chart's own prefix.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{salt}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{salt}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{salt}-\1"', svg)
    svg = re.sub(r'<(\w+)([^<>]*?) style="([^"]*)"', _presentation_attributes, svg)
    label = escape(alt + " The figures are in the table beside the chart.", quote=True)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" class="shire-chart" ', 1)
    # Scale with the page: keep the viewBox, let CSS set the width.
    svg = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", svg, count=1)
    return svg


def _presentation_attributes(match):
    """style="fill: #fff; stroke: ..." as SVG presentation attributes (fill="#fff" ...), which
    every SVG renderer reads and which HTML's CSS parser (WeasyPrint's too) does not warn about."""
    tag, attributes, style = match.groups()
    present = set(re.findall(r"\s([\w:-]+)=", attributes))
    extra = []
    for declaration in style.split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name and name not in present:
            extra.append(f'{name}="{escape(value, quote=True)}"')
    return f"<{tag}{attributes} {' '.join(extra)}" if extra else f"<{tag}{attributes}"


def _legend(ax, count, columns):
    """A legend above the chart that reads left to right, then down (matplotlib fills columns first)."""
    handles, labels = ax.get_legend_handles_labels()
    columns = min(count, columns)
    rows = -(-count // columns)
    order = [r * columns + c for c in range(columns) for r in range(rows) if r * columns + c < count]
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncol=columns, frameon=False, fontsize=7)


def _style_axes(ax):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.grid(True, color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)


def bar_chart(labels, values, *, annotations=None, xlabel="% of those who answered", fmt="svg", alt="Bar chart.", limit=None):
    """Horizontal bars, one for each label, top to bottom in the order given.

    `values` are numbers (None draws nothing); `annotations` are the texts written at the end of
    each bar (for example "23 (25.5%)").
    """
    labels = [_wrap(label) for label in labels]
    values = [v if isinstance(v, (int, float)) else 0 for v in values]
    lines = sum(label.count("\n") + 1 for label in labels)
    with rc_context(_RC):
        fig = _figure(len(labels), extra=0.12 * max(lines - len(labels), 0))
        ax = fig.subplots()
        positions = list(range(len(labels)))
        ax.barh(positions, values, color=BLUE, height=0.65)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        top = limit or max([*values, 1]) * 1.22
        ax.set_xlim(0, top)
        ax.set_xlabel(xlabel)
        for y, value, note in zip(positions, values, annotations or [None] * len(values)):
            if note:
                ax.text(value + top * 0.01, y, note, va="center", ha="left", fontsize=8, color=TEXT)
        _style_axes(ax)
        return _finish(fig, fmt, alt)


def stacked_bar_chart(labels, series, *, xlabel="% of those who answered", fmt="svg", alt="Stacked bar chart.", percent=True):
    """Horizontal stacked bars: `series` is a list of (name, values, colour or None), one value a label.

    With percent=True the axis runs to 100 and segments of 5 or more are labelled with their value.
    """
    labels = [_wrap(label) for label in labels]
    with rc_context(_RC):
        fig = _figure(len(labels), extra=0.45)
        ax = fig.subplots()
        positions = list(range(len(labels)))
        left = [0.0] * len(labels)
        for index, (name, values, colour) in enumerate(series):
            values = [v if isinstance(v, (int, float)) else 0 for v in values]
            colour = colour or PALETTE[index % len(PALETTE)]
            ax.barh(positions, values, left=left, color=colour, height=0.65, label=_wrap(name, 28))
            threshold = 5 if percent else max(max(values, default=0) * 0.08, 1)
            for y, start, value in zip(positions, left, values):
                if value >= threshold:
                    text = f"{value:.0f}" if percent else f"{value:g}"
                    dark = colour in ("#b1b4b6", "#85994b")  # light segments get dark text
                    ax.text(start + value / 2, y, text, va="center", ha="center", fontsize=7, color=TEXT if dark else "white")
            left = [a + b for a, b in zip(left, values)]
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 100 if percent else max([*left, 1]) * 1.05)
        ax.set_xlabel(xlabel)
        _legend(ax, len(series), 3)
        _style_axes(ax)
        return _finish(fig, fmt, alt)


def grouped_bar_chart(labels, series, *, xlabel="% of those who answered", fmt="svg", alt="Grouped bar chart.", limit=None):
    """Horizontal bars side by side for each label: `series` is a list of (name, values)."""
    labels = [_wrap(label) for label in labels]
    count = max(len(series), 1)
    with rc_context(_RC):
        fig = _figure(len(labels) * (0.6 + 0.25 * count), extra=0.4)
        ax = fig.subplots()
        height = 0.8 / count
        top = 0
        for index, (name, values) in enumerate(series):
            values = [v if isinstance(v, (int, float)) else 0 for v in values]
            top = max(top, *values, 1)
            positions = [i - 0.4 + height * (index + 0.5) for i in range(len(labels))]
            ax.barh(positions, values, height=height * 0.9, color=PALETTE[index % len(PALETTE)], label=_wrap(name, 22))
        ax.set_yticks(list(range(len(labels))), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, limit or top * 1.1)
        ax.set_xlabel(xlabel)
        _legend(ax, count, 4)
        _style_axes(ax)
        return _finish(fig, fmt, alt)
