"""Provisional funding decisions: load the facts in bulk, call the pure rules, store rows.

Which funding years an object is decided for (choices the rules leave to the caller):

* An enrolment is decided on the count date (1 October) of the school year it starts in
  (a school year runs from 1 August), and on every later count date it spans. Its funding
  year is that count date's year + 2. An open-ended enrolment spans up to the latest year
  present in the data (or in a ``FundingYear``), never beyond, so the result needs no clock.
* A subject or diploma is decided for the exam year of its enrolment: the calendar year in
  which the enrolment ends (actual end, else planned end); an open-ended enrolment uses the
  year the subject was completed or the diploma issued. Its funding year is that exam year
  + 2. A subject completed in another year is therefore rejected with ``outside_exam_year``
  (and a diploma with ``outside_calendar_year``), which is what the school must see.
* A funding year T uses the rule set in effect on its count date (1 October T-2); data from
  before the oldest rule set is decided by the oldest one.

Provisional rows of the participants concerned are replaced as a whole (delete + insert, in
the caller's transaction); final rows are never touched here.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.funding import rules
from apps.funding.models import Diploma, Enrolment, FundingDecision, FundingYear, Participant, SubjectResult

PROVISIONAL = FundingDecision.Kind.PROVISIONAL


@dataclass(frozen=True)
class YearContext:
    funding_year: int
    count_date: date
    exam_year: int
    rules: rules.RuleSet


_YEAR_CACHE: dict[int, YearContext] = {}


def year_context(funding_year: int) -> YearContext:
    """Count date, exam year and rule set of funding year T (count date 1 Oct T-2)."""
    cached = _YEAR_CACHE.get(funding_year)
    if cached is not None:
        return cached
    # The count date's month and day are rule-set parameters; find the set by a provisional
    # count date, then take that set's own count date.
    probe = date(funding_year - rules.FUNDING_YEAR_LAG, 10, 1)
    try:
        rule_set = rules.rule_set_for(probe)
    except rules.UnknownRuleSet:
        rule_set = min(rules.RULE_SETS, key=lambda r: r.effective_from)
    context = YearContext(
        funding_year=funding_year,
        count_date=rules.count_date_for_funding_year(funding_year, rule_set),
        exam_year=rules.exam_year_for_funding_year(funding_year),
        rules=rule_set,
    )
    _YEAR_CACHE[funding_year] = context
    return context


def school_year_of(day: date) -> int:
    """The school year (by its first calendar year) a date falls in; it starts on 1 August."""
    return day.year if day.month >= 8 else day.year - 1


def enrolment_funding_years(start: date, end: date | None, last_count_year: int) -> list[int]:
    first = school_year_of(start)
    last = school_year_of(end) if end is not None else max(first, last_count_year)
    years = [first + rules.FUNDING_YEAR_LAG]
    for count_year in range(first + 1, last + 1):
        funding_year = count_year + rules.FUNDING_YEAR_LAG
        count_date = year_context(funding_year).count_date
        if start <= count_date and (end is None or count_date <= end):
            years.append(funding_year)
    return years


def exam_year_of(enrolment_end: date | None, done_on: date) -> int:
    return enrolment_end.year if enrolment_end is not None else done_on.year


def last_count_year() -> int:
    """The latest school year present in the data; bounds open-ended enrolments."""
    years = []
    agg = Enrolment.objects.aggregate(s=Max("start"), p=Max("planned_end"), a=Max("actual_end"))
    years += [school_year_of(d) for d in agg.values() if d]
    done = SubjectResult.objects.aggregate(m=Max("completed_on"))["m"]
    issued = Diploma.objects.aggregate(m=Max("issued_on"))["m"]
    years += [d.year for d in (done, issued) if d]
    top = FundingYear.objects.aggregate(m=Max("year"))["m"]
    if top:
        years.append(top - rules.FUNDING_YEAR_LAG)
    return max(years) if years else 0


def participant_fact(p: Participant) -> rules.ParticipantFact:
    return rules.ParticipantFact(
        id=str(p.pk), bsn=p.bsn or None, onderwijsnummer=p.onderwijsnummer or None, birth_date=p.birth_date,
        resident_in_nl=p.resident_in_nl, nationality_dutch=p.nationality_dutch,
        lawful_residence=p.lawful_residence, continuing_course=p.continuing_course,
    )


def enrolment_fact(e: Enrolment) -> rules.EnrolmentFact:
    return rules.EnrolmentFact(
        id=str(e.pk), participant=str(e.participant_id), track=e.track, start=e.start, end=e.end,
        placed_by_vo_school=e.placed_by_vo_school, attending=e.attending,
        marked_not_funded=e.marked_not_funded, registered_on=e.registered_on,
    )


def subject_fact(s: SubjectResult) -> rules.SubjectFact:
    return rules.SubjectFact(id=str(s.pk), enrolment=str(s.enrolment_id), subject=s.subject, status=s.status,
                             final_grade=s.final_grade, completed_on=s.completed_on)


def diploma_fact(d: Diploma) -> rules.DiplomaFact:
    return rules.DiplomaFact(id=str(d.pk), enrolment=str(d.enrolment_id), exam_result=d.exam_result,
                             issued_on=d.issued_on)


# The columns written per decision, in COPY order (FundingDecision's fields minus the id).
ROW_COLUMNS = ("kind", "funding_year", "count_date", "exam_year", "object_type", "object_id", "object_label",
               "participant_id", "participant_label", "track", "status", "codes", "grounds", "rules_version",
               "computed_at")


def compute_decisions(participants, enrolments, subjects, diplomas, *, last_year: int, now=None,
                      kind: str = PROVISIONAL) -> list[tuple]:
    """Decide every object of these participants for every funding year it belongs to.

    Returns plain tuples in ``ROW_COLUMNS`` order (building model instances would cost more
    than the rules themselves); ``store_rows`` writes them. Nothing is written here.
    """
    now = now or timezone.now()
    people = {p.pk: (participant_fact(p), str(p)[:200]) for p in participants}
    by_enrolment: dict[int, tuple[Enrolment, rules.EnrolmentFact]] = {}
    rows: list[tuple] = []
    append = rows.append
    kind = str(kind)

    def row(ctx: YearContext, decision: rules.Decision, obj_type: str, obj_id: int, label: str,
            participant_id: int) -> tuple:
        return (kind, ctx.funding_year, ctx.count_date, ctx.exam_year, obj_type, obj_id, label[:200],
                participant_id, people[participant_id][1], decision.track, decision.status, list(decision.codes),
                [g.to_dict() for g in decision.grounds], decision.rules_version, now)

    for e in enrolments:
        fact = enrolment_fact(e)
        by_enrolment[e.pk] = (e, fact)
        person_fact = people[e.participant_id][0]
        for funding_year in enrolment_funding_years(e.start, e.end, last_year):
            ctx = year_context(funding_year)
            decision = rules.decide_enrolment(fact, person_fact, ctx.count_date, ctx.rules)
            append(row(ctx, decision, "enrolment", e.pk, str(e), e.participant_id))

    for s in subjects:
        e, e_fact = by_enrolment[s.enrolment_id]
        ctx = year_context(exam_year_of(e.end, s.completed_on) + rules.FUNDING_YEAR_LAG)
        decision = rules.decide_subject(subject_fact(s), e_fact, ctx.exam_year, ctx.rules)
        append(row(ctx, decision, "subject", s.pk, s.subject, e.participant_id))

    for d in diplomas:
        e, e_fact = by_enrolment[d.enrolment_id]
        ctx = year_context(exam_year_of(e.end, d.issued_on) + rules.FUNDING_YEAR_LAG)
        decision = rules.decide_diploma(diploma_fact(d), e_fact, ctx.exam_year, ctx.rules)
        append(row(ctx, decision, "diploma", d.pk, str(d), e.participant_id))
    return rows


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, list) and (not value or isinstance(value[0], str)):
        # A text[] literal; codes are plain identifiers, quoted anyway.
        return ("{" + ",".join('"' + v.replace('"', "") + '"' for v in value) + "}").translate(_COPY_ESCAPES)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_COPY_ESCAPES)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def store_rows(rows: list[tuple]) -> None:
    """Insert decision rows with COPY (an order of magnitude faster than INSERTs for 10^4 rows)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        copy = getattr(cursor.cursor, "copy_expert", None)
        if copy is None:  # not psycopg2: plain bulk insert
            FundingDecision.objects.bulk_create([FundingDecision(**dict(zip(ROW_COLUMNS, r))) for r in rows],
                                                batch_size=2000)
            return
        buffer = io.StringIO()
        write = buffer.write
        for r in rows:
            write("\t".join(map(_copy_value, r)))
            write("\n")
        buffer.seek(0)
        table = f'"{connection.schema_name}"."{FundingDecision._meta.db_table}"'
        copy(f"COPY {table} ({', '.join(ROW_COLUMNS)}) FROM STDIN", buffer)


def load_facts(participant_ids: Iterable[int] | None = None, id_range: tuple[int, int] | None = None):
    """The four fact querysets for some participants (by ids or an inclusive id range)."""
    p = Participant.objects.all()
    e = Enrolment.objects.all()
    s = SubjectResult.objects.all()
    d = Diploma.objects.all()
    if participant_ids is not None:
        ids = list(participant_ids)
        p, e = p.filter(pk__in=ids), e.filter(participant_id__in=ids)
        s, d = s.filter(enrolment__participant_id__in=ids), d.filter(enrolment__participant_id__in=ids)
    elif id_range is not None:
        low, high = id_range
        p, e = p.filter(pk__gte=low, pk__lte=high), e.filter(participant_id__gte=low, participant_id__lte=high)
        s = s.filter(enrolment__participant_id__gte=low, enrolment__participant_id__lte=high)
        d = d.filter(enrolment__participant_id__gte=low, enrolment__participant_id__lte=high)
    return list(p), list(e.order_by("id")), list(s.order_by("id")), list(d.order_by("id"))


def decisions_recompute_for(*, participant_ids: Iterable[int], last_year: int | None = None) -> int:
    """Replace the provisional decisions of these participants. Call inside a transaction."""
    ids = sorted(set(participant_ids))
    if not ids:
        return 0
    if last_year is None:
        last_year = last_count_year()
    FundingDecision.objects.filter(kind=PROVISIONAL, participant_id__in=ids).delete()
    rows = compute_decisions(*load_facts(ids), last_year=last_year)
    store_rows(rows)
    return len(rows)


def decisions_recompute_all(*, job_id=None, chunk_size: int = 1000) -> int:
    """Recompute every participant, a chunk per transaction, reporting progress to ``job_id``.

    With a job, each chunk commits together with the job's checkpoint (the last participant
    id done and the rows written so far), so a run killed at any moment resumes after the
    last committed chunk and returns the count of the whole run."""
    from apps.jobs.selectors import job_checkpoint_of
    from apps.jobs.services import job_checkpoint_save

    state = job_checkpoint_of(job_id=job_id) if job_id is not None else {}
    after, done, written = state.get("after_id", 0), state.get("done", 0), state.get("written", 0)
    ids = list(Participant.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True))
    total = done + len(ids)
    last_year = last_count_year()
    with transaction.atomic():
        # Participants deleted since the last run leave no provisional rows behind.
        FundingDecision.objects.filter(kind=PROVISIONAL).exclude(
            participant_id__in=Participant.objects.values("pk")).delete()
    for position in range(0, len(ids), chunk_size):
        chunk = ids[position:position + chunk_size]
        with transaction.atomic():
            FundingDecision.objects.filter(kind=PROVISIONAL, participant_id__gte=chunk[0],
                                           participant_id__lte=chunk[-1]).delete()
            rows = compute_decisions(*load_facts(id_range=(chunk[0], chunk[-1])), last_year=last_year)
            store_rows(rows)
            written += len(rows)
            done += len(chunk)
            if job_id is not None:
                job_checkpoint_save(job_id=job_id, done=done, total=total,
                                    state={"after_id": chunk[-1], "done": done, "written": written})
    return written


def recompute_job_ensure(*, job_id=None, task=None) -> str:
    """The job of a recompute started without one (beat). Made once per ``job_id`` (the
    message's id, so a redelivered message finds it again) and recorded with its task so a
    run whose worker died is sent again."""
    from apps.jobs.models import Job
    from apps.jobs.services import job_create, job_track

    job = Job.objects.filter(pk=job_id).first() if job_id else None
    if job is None:
        job = job_create(kind="funding.recompute", label="Bekostiging herberekenen", job_id=job_id)
        if task is not None:
            job_track(job=job, task=task)
    return str(job.pk)


def recompute_job_run(*, job_id=None) -> int:
    """A full recompute as a visible job (created here when called without one); resumes
    from the job's checkpoint."""
    from apps.jobs.services import job_fail, job_finish, job_start

    if job_id is None:
        job_id = recompute_job_ensure()
    job_start(job_id=job_id, total=Participant.objects.count())
    try:
        written = decisions_recompute_all(job_id=job_id)
    except Exception as exc:
        job_fail(job_id=job_id, message=str(exc))
        raise
    job_finish(job_id=job_id, result={"decisions": written})
    return written
