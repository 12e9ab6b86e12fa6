"""Charts as SVG, drawn on the server: no script, no library, nothing fetched. Colours come
from classes (bot/dashboard/static/signals.css), so print and screen can differ. A hidden
(suppressed) value is drawn as an empty bar with a dash, never as zero."""

from __future__ import annotations

from html import escape

HIDDEN_MARK = "–"


def bars(points: list[tuple[str, int | None]], *, title: str, hidden: str) -> str:
    """Vertical bars, one per (label, value): a series over time."""
    width, height, top, bottom, left = 360, 150, 18, 34, 8
    room = height - top - bottom
    n = max(len(points), 1)
    step = (width - 2 * left) / n
    peak = max([v for _, v in points if v] or [1])
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(points):
        x = left + i * step + step * 0.15
        w = step * 0.7
        if value is None:
            y = top + room - 14
            parts.append(
                f'<rect class="bar-hidden" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="14">'
                f"<title>{escape(label)}: {escape(hidden)}</title></rect>"
                f'<text class="value" x="{x + w / 2:.1f}" y="{y - 3:.1f}">{HIDDEN_MARK}</text>'
            )
        else:
            h = room * value / peak
            y = top + room - h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}">'
                f"<title>{escape(label)}: {value}</title></rect>"
                f'<text class="value" x="{x + w / 2:.1f}" y="{y - 3:.1f}">{value}</text>'
            )
        parts.append(
            f'<text class="axis" x="{x + w / 2:.1f}" y="{height - bottom + 14}">'
            f"{escape(_short(label))}</text>"
        )
    parts.append(
        f'<line class="base" x1="{left}" y1="{top + room}" x2="{width - left}" y2="{top + room}"/>'
    )
    return "".join(parts) + "</svg>"


def compare(points: list[tuple[str, int | None]], *, title: str, hidden: str) -> str:
    """Horizontal bars, one per (area, value): areas side by side."""
    row, label_room, width = 24, 130, 420
    height = row * max(len(points), 1) + 10
    peak = max([v for _, v in points if v] or [1])
    room = width - label_room - 50
    parts = [_open(width, height, title)]
    for i, (area, value) in enumerate(points):
        y = 5 + i * row
        name = escape(_short(area, 18))
        parts.append(f'<text class="label" x="{label_room - 6}" y="{y + 15}">{name}</text>')
        if value is None:
            parts.append(
                f'<rect class="bar-hidden" x="{label_room}" y="{y + 3}" width="30" height="16">'
                f"<title>{escape(area)}: {escape(hidden)}</title></rect>"
                f'<text class="value-end" x="{label_room + 36}" y="{y + 15}">{HIDDEN_MARK}</text>'
            )
        else:
            w = max(room * value / peak, 1)
            parts.append(
                f'<rect class="bar" x="{label_room}" y="{y + 3}" width="{w:.1f}" height="16">'
                f"<title>{escape(area)}: {value}</title></rect>"
                f'<text class="value-end" x="{label_room + w + 6:.1f}" y="{y + 15}">{value}</text>'
            )
    return "".join(parts) + "</svg>"


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _short(text: str, most: int = 8) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
