"""Figures and pictures for the dashboards: compliance per department per month (from the
status history, so "what was true on date D" is read, not reconstructed), expiries per week
for the next 90 days, drawn as inline SVG (no JavaScript library)."""
from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.competences import rules
from apps.competences.models import CompetenceStatus, CompetenceStatusHistory
from apps.organisation.models import OrgUnit, Person
from apps.organisation.selectors import is_tenant_admin, unit_ids_managed_by, unit_ids_with_descendants

COMPLIANT = {rules.COMPETENT, rules.EXPIRING, rules.EXEMPT}
PALETTE = ["#1d4ed8", "#15803d", "#b45309", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#a21caf"]


def month_ends(today: date, months: int = 12) -> list[date]:
    """The last day of each of the last ``months`` months, the current month ending today."""
    out = []
    y, m = today.year, today.month
    for _ in range(months):
        last = date(y, m, calendar.monthrange(y, m)[1])
        out.append(min(last, today))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


def departments_for(user) -> list[OrgUnit]:
    """The top units a manager manages (the administrator: every top-level unit)."""
    if is_tenant_admin(user):
        return list(OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("name"))
    direct = set(OrgUnit.managers.through.objects.filter(user_id=user.pk).values_list("orgunit_id", flat=True))
    managed = unit_ids_managed_by(user)
    units = OrgUnit.objects.filter(id__in=direct, is_active=True).order_by("name")
    # A unit below another managed unit is shown inside its parent's line.
    return [u for u in units if u.parent_id not in managed]


@dataclass
class Series:
    label: str
    points: list[tuple[date, float | None]]  # percentage compliant, None without requirements


def compliance_by_department(user, *, today: date | None = None, months: int = 12) -> list[Series]:
    """Per department, per month end: % of required competences held (competent, expiring
    or exempt; not-applicable left out). Three queries whatever the size."""
    today = today or timezone.localdate()
    ends = month_ends(today, months)
    depts = departments_for(user)
    dept_of_unit: dict[int, int] = {}
    for d in depts:
        for u in unit_ids_with_descendants([d.pk]):
            dept_of_unit.setdefault(u, d.pk)
    dept_of_person = {pid: dept_of_unit[u] for pid, u in Person.objects.filter(
        org_unit_id__in=list(dept_of_unit)).values_list("id", "org_unit_id")}
    held = defaultdict(lambda: defaultdict(int))
    total = defaultdict(lambda: defaultdict(int))
    rows = CompetenceStatusHistory.objects.filter(person_id__in=list(dept_of_person)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=ends[0])).filter(valid_from__lte=today).exclude(
        status=rules.NOT_APPLICABLE).values_list("person_id", "status", "valid_from", "valid_to")
    for pid, status, start, end in rows.iterator():
        dept = dept_of_person[pid]
        for i, d in enumerate(ends):
            if start <= d and (end is None or end > d):
                total[dept][i] += 1
                if status in COMPLIANT:
                    held[dept][i] += 1
    series = []
    for d in depts:
        pts = []
        for i, day in enumerate(ends):
            n = total[d.pk][i]
            pts.append((day, round(100 * held[d.pk][i] / n, 1) if n else None))
        series.append(Series(d.name, pts))
    return series


def expiries_by_week(user, *, today: date | None = None, days: int = 90) -> list[tuple[date, int]]:
    """Number of held competences (in the user's units) that expire in each week from today."""
    today = today or timezone.localdate()
    qs = CompetenceStatus.objects.filter(status__in=[rules.COMPETENT, rules.EXPIRING], valid_until__gte=today,
                                         valid_until__lte=today + timedelta(days=days), person__is_active=True)
    if not is_tenant_admin(user):
        qs = qs.filter(person__org_unit_id__in=unit_ids_managed_by(user))
    weeks = [(today + timedelta(weeks=i), 0) for i in range((days // 7) + 1)]
    counts = [0] * len(weeks)
    for d in qs.values_list("valid_until", flat=True):
        counts[min((d - today).days // 7, len(weeks) - 1)] += 1
    return [(w[0], c) for w, c in zip(weeks, counts)]


# --- SVG ------------------------------------------------------------------------------------

def _fmt(d: date) -> str:
    return f"{d.day}-{d.month}"


def line_chart_svg(series: list[Series], *, title: str, width: int = 680, height: int = 260) -> SafeString:
    left, right, top, bottom = 44, 12, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max((len(s.points) for s in series), default=0)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * pct / 100
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{pct}%</text>')

    def x_of(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    if series:
        for i, (day, _v) in enumerate(series[0].points):
            parts.append(f'<text x="{x_of(i):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
                         f'fill="#555">{escape(day.strftime("%m-%y"))}</text>')
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        coords = [(x_of(i), top + plot_h - plot_h * v / 100) for i, (_d, v) in enumerate(s.points) if v is not None]
        if len(coords) > 1:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{pts}"/>')
        for x, y in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        lx = left + (k % 3) * 210
        ly = height - 22 + (k // 3) * 14
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{lx + 14}" y="{ly}" font-size="12" fill="#222">{escape(s.label)}</text>')
    if not series:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#777">–</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart_svg(bars: list[tuple[date, int]], *, title: str, width: int = 680, height: int = 220) -> SafeString:
    left, right, top, bottom = 36, 12, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([c for _d, c in bars] + [1])
    step = plot_w / max(len(bars), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{top + 4}" font-size="11" text-anchor="end" fill="#555">{peak}</text>']
    for i, (day, count) in enumerate(bars):
        h = plot_h * count / peak
        x = left + i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="#b45309"><title>{escape(_fmt(day))}: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h - h - 3:.1f}" font-size="11" '
                         f'text-anchor="middle" fill="#222">{count}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 16}" font-size="10" '
                     f'text-anchor="middle" fill="#555">{escape(_fmt(day))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
