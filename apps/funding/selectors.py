"""Reads for the funding screens, API and exports. They own the queries and their count."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from apps.funding import rules
from apps.funding.models import Diploma, Enrolment, FundingDecision, FundingYear, Participant, SubjectResult
from apps.funding.recompute import year_context

KINDS = (FundingDecision.Kind.PROVISIONAL, FundingDecision.Kind.FINAL)
BASIS_OF = {"enrolment": "participants", "subject": "subjects", "diploma": "diplomas"}


def funding_years() -> list[int]:
    """Every funding year with decisions or a FundingYear row, newest first."""
    years = set(FundingDecision.objects.values_list("funding_year", flat=True).distinct())
    years |= set(FundingYear.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)


def default_funding_year() -> int | None:
    """The year a school looks at first: the newest one that has participant decisions."""
    with_participants = FundingDecision.objects.filter(object_type="enrolment").values_list(
        "funding_year", flat=True).distinct()
    years = sorted(set(with_participants)) or funding_years()
    return max(years) if years else None


def decisions_for(*, kind: str | None = None, funding_year: int | None = None, status: str | None = None,
                  signal: str | None = None, object_type: str | None = None, object_id: int | None = None,
                  participant_id: int | None = None, track: str | None = None):
    qs = FundingDecision.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if funding_year:
        qs = qs.filter(funding_year=funding_year)
    if status:
        qs = qs.filter(status=status)
    if signal:
        qs = qs.filter(codes__contains=[signal])
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if participant_id:
        qs = qs.filter(participant_id=participant_id)
    if track:
        qs = qs.filter(track=track)
    return qs.order_by("funding_year", "participant_id", "object_type", "object_id", "kind")


def _weighted(counts: dict[str, int], weights) -> float:
    return round(sum(weights[key] * counts.get(key, 0) for key in ("participants", "subjects", "diplomas")), 4)


def funding_overview(*, year: int, kind: str = FundingDecision.Kind.PROVISIONAL, examples: int = 10
                     ) -> dict[str, Any]:
    """Counts per track and basis, weighted value, estimated share and rejections by signal."""
    ctx = year_context(year)
    weights = ctx.rules.weights
    decisions = FundingDecision.objects.filter(kind=kind, funding_year=year)
    by_track: dict[str, dict[str, int]] = {
        track: {"participants": 0, "subjects": 0, "diplomas": 0} for track in rules.TRACKS}
    rejected_by_track: dict[str, dict[str, int]] = {
        track: {"participants": 0, "subjects": 0, "diplomas": 0} for track in rules.TRACKS}
    for row in decisions.values("track", "object_type", "status").annotate(n=Count("id")):
        target = by_track if row["status"] == "funded" else rejected_by_track
        target.setdefault(row["track"], {"participants": 0, "subjects": 0, "diplomas": 0})
        target[row["track"]][BASIS_OF[row["object_type"]]] += row["n"]
    totals = {key: sum(counts[key] for counts in by_track.values()) for key in ("participants", "subjects", "diplomas")}
    rejected_totals = {key: sum(c[key] for c in rejected_by_track.values()) for key in totals}
    weighted = _weighted(totals, weights)

    funding_year = FundingYear.objects.filter(year=year).first()
    share = None
    if funding_year and funding_year.national_weighted and funding_year.national_budget is not None:
        share = rules.school_share(weighted, float(funding_year.national_weighted), funding_year.national_budget)

    signals = Counter()
    for codes in decisions.filter(status="rejected").values_list("codes", flat=True):
        signals.update(codes)
    rejected_groups = []
    for code in rules.SIGNALS:  # the order of VAVO-RULES.md
        if not signals.get(code):
            continue
        items = list(decisions.filter(codes__contains=[code]).order_by("participant_label", "object_id")
                     .values("object_type", "object_id", "object_label", "participant_id", "participant_label",
                             "track")[:examples])
        rejected_groups.append({
            "code": code, "label": rules.SIGNALS[code].label, "basis": rules.SIGNALS[code].basis,
            "how_to_fix": rules.HOW_TO_FIX[code], "count": signals[code], "examples": items,
        })
    differences = decision_differences(year=year) if funding_year and funding_year.is_final else []
    return {
        "year": year,
        "kind": str(kind),
        "count_date": ctx.count_date,
        "exam_year": ctx.exam_year,
        "rules_version": ctx.rules.version,
        "weights": dict(weights),
        "by_track": by_track,
        "rejected_by_track": rejected_by_track,
        "totals": totals,
        "rejected_totals": rejected_totals,
        "weighted": weighted,
        "weighted_by_basis": {key: round(weights[key] * totals[key], 4) for key in totals},
        "national_weighted": funding_year.national_weighted if funding_year else None,
        "national_budget": funding_year.national_budget if funding_year else None,
        "estimated_share": share,
        "finalised_at": funding_year.finalised_at if funding_year else None,
        "finalised_by": funding_year.finalised_by_label if funding_year else "",
        "rejected_by_signal": rejected_groups,
        "differences": differences,
        "years": funding_years(),
    }


def decision_differences(*, year: int, participant_id: int | None = None) -> list[dict[str, Any]]:
    """Where the current provisional decisions differ from the frozen final ones of a year.

    A difference is a changed status or set of signals, or an object that exists on one side
    only (added after, or deleted since, the final determination).
    """
    qs = FundingDecision.objects.filter(funding_year=year)
    if participant_id is not None:
        qs = qs.filter(participant_id=participant_id)
    sides: dict[tuple[str, int], dict[str, FundingDecision]] = defaultdict(dict)
    for decision in qs.only("kind", "object_type", "object_id", "object_label", "participant_id",
                            "participant_label", "status", "codes", "track"):
        sides[(decision.object_type, decision.object_id)][decision.kind] = decision
    out = []
    for (object_type, object_id), pair in sides.items():
        final, provisional = pair.get("final"), pair.get("provisional")
        if final and provisional and final.status == provisional.status and sorted(final.codes) == sorted(
                provisional.codes):
            continue
        any_side = final or provisional
        out.append({
            "object_type": object_type, "object_id": object_id, "object_label": any_side.object_label,
            "participant_id": any_side.participant_id, "participant_label": any_side.participant_label,
            "track": any_side.track,
            "final_status": final.status if final else None, "final_codes": list(final.codes) if final else [],
            "provisional_status": provisional.status if provisional else None,
            "provisional_codes": list(provisional.codes) if provisional else [],
        })
    out.sort(key=lambda d: (d["participant_label"], d["object_type"], d["object_id"]))
    return out


def participant_list(*, search: str = "", year: int | None = None):
    qs = Participant.objects.all()
    if search:
        qs = qs.filter(Q(last_name__icontains=search) | Q(first_name__icontains=search)
                       | Q(external_id__icontains=search) | Q(bsn=search) | Q(onderwijsnummer=search))
    return qs.order_by("last_name", "first_name", "id")


def rejected_counts_by_participant(participant_ids, *, year: int | None = None) -> dict[int, int]:
    qs = FundingDecision.objects.filter(kind="provisional", status="rejected", participant_id__in=participant_ids)
    if year:
        qs = qs.filter(funding_year=year)
    return dict(qs.values_list("participant_id").annotate(n=Count("id")))


def participant_detail(*, participant_id: int) -> dict[str, Any]:
    """A participant with every fact and every decision (provisional and final) with grounds."""
    try:
        participant = Participant.objects.get(pk=participant_id)
    except (Participant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    enrolments = list(Enrolment.objects.filter(participant=participant).order_by("start", "id"))
    subjects = list(SubjectResult.objects.filter(enrolment__participant=participant).order_by("completed_on", "id"))
    diplomas = list(Diploma.objects.filter(enrolment__participant=participant).order_by("issued_on", "id"))
    decisions = list(FundingDecision.objects.filter(participant_id=participant.pk).order_by(
        "-funding_year", "object_type", "object_id", "-kind"))
    by_object: dict[tuple[str, int], list[FundingDecision]] = defaultdict(list)
    for decision in decisions:
        by_object[(decision.object_type, decision.object_id)].append(decision)
    years = sorted({d.funding_year for d in decisions}, reverse=True)
    finalised = set(FundingYear.objects.filter(year__in=years, finalised_at__isnull=False)
                    .values_list("year", flat=True))
    differences = []
    for year in sorted(finalised):
        differences += [dict(d, funding_year=year) for d in decision_differences(year=year, participant_id=participant.pk)]

    def attach(objects, object_type):
        return [{"object": o, "decisions": by_object.get((object_type, o.pk), [])} for o in objects]

    return {
        "participant": participant,
        "id_valid": rules.has_valid_id(rules.ParticipantFact(
            id="x", bsn=participant.bsn or None, onderwijsnummer=participant.onderwijsnummer or None,
            birth_date=participant.birth_date, resident_in_nl=True, nationality_dutch=True,
            lawful_residence=True, continuing_course=True)),
        "enrolments": attach(enrolments, "enrolment"),
        "subjects": attach(subjects, "subject"),
        "diplomas": attach(diplomas, "diploma"),
        "decisions": decisions,
        "orphans": [d for d in decisions if d.kind == "final" and (d.object_type, d.object_id) not in {
            ("enrolment", e.pk) for e in enrolments} | {("subject", s.pk) for s in subjects}
            | {("diploma", x.pk) for x in diplomas}],
        "differences": differences,
        "years": years,
    }


def export_detail_rows(*, year: int, kind: str = "provisional"):
    """One row per decision of a year: participant, object, status, signals and texts."""
    header = ["funding_year", "kind", "participant_id", "external_id", "participant", "object_type", "object_id",
              "object", "track", "count_date", "exam_year", "status", "signals", "grounds", "rules_version"]
    yield header
    external = dict(Participant.objects.values_list("pk", "external_id"))
    for d in FundingDecision.objects.filter(funding_year=year, kind=kind).order_by(
            "participant_label", "participant_id", "object_type", "object_id").iterator(chunk_size=2000):
        yield [d.funding_year, d.kind, d.participant_id, external.get(d.participant_id) or "", d.participant_label,
               d.object_type, d.object_id, d.object_label, d.track, d.count_date.isoformat(), d.exam_year, d.status,
               " ".join(d.codes) if d.status == "rejected" else "",
               " | ".join(g["text"] for g in d.grounds), d.rules_version]


def export_summary_rows(*, year: int, kind: str = "provisional"):
    overview = funding_overview(year=year, kind=kind, examples=0)
    yield ["funding_year", "kind", "track", "basis", "funded", "rejected", "weight", "weighted"]
    for track, counts in overview["by_track"].items():
        for basis in ("participants", "subjects", "diplomas"):
            weight = overview["weights"][basis]
            yield [year, kind, track, basis, counts[basis], overview["rejected_by_track"][track][basis], weight,
                   round(weight * counts[basis], 4)]
    for basis in ("participants", "subjects", "diplomas"):
        weight = overview["weights"][basis]
        yield [year, kind, "total", basis, overview["totals"][basis], overview["rejected_totals"][basis], weight,
               overview["weighted_by_basis"][basis]]
    yield [year, kind, "total", "weighted", "", "", "", overview["weighted"]]
    share = overview["estimated_share"]
    yield [year, kind, "total", "estimated_share_eur", "", "", "", "" if share is None else str(share)]
    for group in overview["rejected_by_signal"]:
        yield [year, kind, "signal", group["code"], "", group["count"], "", ""]
