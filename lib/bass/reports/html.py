"""HTML and inline-SVG helpers every report shares: line and bar charts, tables, number
formatting and saving a page. A report is one self-contained page: no scripts, no server."""
from __future__ import annotations

import html

from bass.core.storage import join, storage_for

W, H, PAD = 420, 300, 42


def _x(v: float, lo: float, hi: float) -> float:
    return PAD + (v - lo) / ((hi - lo) or 1) * (W - 2 * PAD)


def _y(v: float, lo: float, hi: float) -> float:
    return H - PAD - (v - lo) / ((hi - lo) or 1) * (H - 2 * PAD)


def _frame(title: str, xlabel: str, ylabel: str, xr: tuple, yr: tuple, body: str) -> str:
    ticks = []
    for i in range(6):
        xv, yv = xr[0] + (xr[1] - xr[0]) * i / 5, yr[0] + (yr[1] - yr[0]) * i / 5
        ticks.append(f'<text x="{_x(xv, *xr):.1f}" y="{H - PAD + 14}" text-anchor="middle">{xv:.2g}</text>')
        ticks.append(f'<text x="{PAD - 4}" y="{_y(yv, *yr) + 4:.1f}" text-anchor="end">{yv:.2g}</text>')
    return (f'<figure><svg width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-size="10" font-family="sans-serif">'
            f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - 2 * PAD}" fill="none" stroke="#999"/>'
            f'{"".join(ticks)}{body}'
            f'<text x="{W / 2}" y="{H - 6}" text-anchor="middle">{html.escape(xlabel)}</text>'
            f'<text x="12" y="{H / 2}" transform="rotate(-90 12 {H / 2})" text-anchor="middle">{html.escape(ylabel)}</text>'
            f'</svg><figcaption>{html.escape(title)}</figcaption></figure>')


def line_chart(title: str, xlabel: str, ylabel: str, series: list, xr=(0, 1), yr=(0, 1)) -> str:
    """series: (name, points, colour, dashed)."""
    body, legend = [], []
    for i, (name, pts, colour, dashed) in enumerate(series):
        path = " ".join(f"{_x(x, *xr):.1f},{_y(y, *yr):.1f}" for x, y in pts)
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.8"{dash}/>')
        legend.append(f'<text x="{PAD + 8}" y="{PAD + 14 + 12 * i}" fill="{colour}">{html.escape(name)}</text>')
    return _frame(title, xlabel, ylabel, xr, yr, "".join(body + legend))


def bar_chart(title: str, xlabel: str, ylabel: str, bars: list, colours=("#c0392b", "#2e86c1")) -> str:
    """bars: (x label, [values stacked]) in order; y from 0 to the largest stack."""
    top = max((sum(v) for _, v in bars), default=1) or 1
    width = (W - 2 * PAD) / max(len(bars), 1)
    body = []
    for i, (_, values) in enumerate(bars):
        base = 0.0
        for j, v in enumerate(values):
            y0, y1 = _y(base, 0, top), _y(base + v, 0, top)
            body.append(f'<rect x="{PAD + i * width + 1:.1f}" y="{y1:.1f}" width="{width - 2:.1f}" '
                        f'height="{y0 - y1:.1f}" fill="{colours[j % len(colours)]}"/>')
            base += v
    return _frame(title, xlabel, ylabel, (0, 1), (0, top), "".join(body))


def importance_chart(importance: list, caption: str = "Feature importance (mean |contribution to the log-odds|)",
                     top: int = 20) -> str:
    items = importance[:top]
    peak = max((v for _, v in items), default=1) or 1
    row, left = 16, 230
    height = row * len(items) + 20
    body = []
    for i, (name, v) in enumerate(items):
        y = 10 + i * row
        body.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{html.escape(name)}</text>'
                    f'<rect x="{left}" y="{y}" width="{(W + 200 - left - 60) * v / peak:.1f}" height="{row - 4}" fill="#2e86c1"/>'
                    f'<text x="{left + (W + 200 - left - 60) * v / peak + 4:.1f}" y="{y + 11}">{v:.3g}</text>')
    return (f'<figure><svg width="{W + 200}" height="{height}" font-size="10" font-family="sans-serif">{"".join(body)}</svg>'
            f'<figcaption>{html.escape(caption)}</figcaption></figure>')


def table(head: list, rows: list) -> str:
    h = "".join(f"<th>{html.escape(str(x))}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in r) + "</tr>" for r in rows)
    return f"<table><tr>{h}</tr>{body}</table>"


def fmt(v) -> str:
    return "" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)


def save(folder: str, name: str, page: str) -> str:
    """Write a report page under `folder` (any file system, bass.core.storage); returns its path."""
    path = join(folder, name)
    storage_for(folder).write_text(path, page)
    return path
