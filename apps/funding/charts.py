"""Geometry for the overview's inline SVG bar charts (no JavaScript library)."""
from __future__ import annotations

from decimal import Decimal

BASES = (("participants", "Deelnemers"), ("subjects", "Vakken"), ("diplomas", "Diploma's"))
COLOURS = {"participants": "#0b5394", "subjects": "#2e7d32", "diplomas": "#b45309"}
BAR = 18
GAP = 6
LABEL_WIDTH = 110
CHART_WIDTH = 360


def track_bars(by_track: dict[str, dict[str, int]], base_labels: dict[str, str]) -> dict:
    """Grouped horizontal bars: per track, one bar per basis (funded counts)."""
    top = max([counts[key] for counts in by_track.values() for key, _l in BASES] + [1])
    groups, y = [], 0
    for track, counts in by_track.items():
        bars = []
        for key, _label in BASES:
            value = counts[key]
            bars.append({"y": y, "width": round(CHART_WIDTH * value / top, 1), "value": value,
                         "colour": COLOURS[key], "label": base_labels[key], "text_y": y + BAR - 5})
            y += BAR + 2
        groups.append({"track": track, "label_y": y - (BAR + 2) * 2 + BAR // 2, "bars": bars})
        y += GAP * 2
    return {"groups": groups, "height": y, "width": LABEL_WIDTH + CHART_WIDTH + 60, "x0": LABEL_WIDTH}


def share_bar(weighted_by_basis: dict[str, float], national_weighted, base_labels: dict[str, str]) -> dict:
    """One stacked bar: the weighted value by basis, against the national weighted count."""
    total = sum(weighted_by_basis.values())
    national = float(national_weighted) if national_weighted else 0.0
    scale_to = max(total, 1e-9)
    segments, x = [], 0.0
    for key, _label in BASES:
        width = CHART_WIDTH * weighted_by_basis[key] / scale_to if total else 0
        segments.append({"x": round(LABEL_WIDTH + x, 1), "width": round(width, 1), "colour": COLOURS[key],
                         "label": base_labels[key], "value": weighted_by_basis[key]})
        x += width
    percent = (Decimal(repr(total)) / Decimal(repr(national)) * 100).quantize(Decimal("0.001")) if national else None
    return {"segments": segments, "total": round(total, 4), "percent": percent,
            "width": LABEL_WIDTH + CHART_WIDTH + 60, "x0": LABEL_WIDTH, "chart_width": CHART_WIDTH,
            "share_width": round(min(CHART_WIDTH, CHART_WIDTH * total / national), 1) if national else 0}
