"""Bar charts for reports, as SVG that is the same bytes for the same figures.

Matplotlib's SVG writer salts its element ids with a random value and dates its metadata
unless told otherwise: both are fixed here (``svg.hashsalt``, no ``Date``, no creator
with a version), and text is drawn as paths so the picture never depends on the fonts of
the machine that renders the PDF. The figure is built without pyplot (no global state).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

#: Colours a reader can tell apart in print and in grey.
PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#404040")
_RC: dict[str, Any] = {
    "svg.hashsalt": "phunt-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    horizontal: bool = False,
) -> str:
    """Grouped bars, one group per label and one bar per series; the SVG text."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]  # its keys are Literals
        height = max(2.4, 0.28 * len(labels) * max(1, len(series)) ** 0.5) if horizontal else 3.0
        fig = Figure(figsize=(7.0, height))
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        count = max(1, len(series))
        width = 0.8 / count
        for i, (name, values) in enumerate(series.items()):
            offsets = [x - 0.4 + width * (i + 0.5) for x in range(len(labels))]
            colour = PALETTE[i % len(PALETTE)]
            if horizontal:
                ax.barh(offsets, list(values), height=width, label=name, color=colour)
            else:
                ax.bar(offsets, list(values), width=width, label=name, color=colour)
        ticks = list(range(len(labels)))
        if horizontal:
            ax.set_yticks(ticks, list(labels))
            ax.invert_yaxis()
        else:
            ax.set_xticks(ticks, list(labels), rotation=35, ha="right")
        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        if len(series) > 1:
            ax.legend(frameon=False, ncols=min(4, len(series)))
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URL, the only kind a report may load."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
