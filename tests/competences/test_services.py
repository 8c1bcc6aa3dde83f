"""Services on the real database: every status and ground reached through the stored path,
recompute on write, history and as_of, audit, permissions, bad input, the nightly sweep."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEntry
from apps.competences import rules, services
from apps.competences.models import (CompetenceStatus, CompetenceStatusHistory, Evidence, Exemption, Profile,
                                     ProfileLink)
from apps.competences.selectors import passport_for
from apps.organisation.models import Person
from support import in_tenant


def _status(person, code):
    row = CompetenceStatus.objects.filter(person=person, competence__code=code).first()
    return row


def _codes(row):
    return [g["code"] for g in row.grounds]


def _department_profile(w, codes=("KATH", "INJ-SC", "BLS")):
    profile = services.profile_create(name="Afdeling Chirurgie", org_unit=w.chir, competence_codes=codes,
                                      by=w.manager)
    services.profile_link_create(profile=profile, org_unit=w.chir, valid_from=w.days(-400), by=w.manager)
    return profile


def _kath_valid(w, person, achieved):
    services.evidence_record(person=person, competence="KATH", kind="theory", achieved_on=achieved, by=w.assessor)
    services.evidence_record(person=person, competence="KATH", kind="practical", achieved_on=achieved,
                             by=w.assessor)


def test_linking_a_department_profile_requires_it_of_members_and_of_subunit_members(world):
    w = world
    with in_tenant(w.tenant):
        _department_profile(w)
        assert _status(w.nurse, "KATH").status == rules.MISSING  # member of team under CHIR
        assert _status(w.colleague, "KATH").status == rules.MISSING
        assert _status(w.outsider, "KATH") is None  # another department
        row = _status(w.nurse, "KATH")
        assert _codes(row) == ["no_evidence", "required_by"]
        assert row.grounds[-1]["params"] == {"profiles": ["Afdeling Chirurgie"]}
        assert row.rules_version == rules.CURRENT_VERSION


def test_every_status_and_ground_is_reached_through_the_database(world):
    w = world
    with in_tenant(w.tenant):
        _department_profile(w)
        nurse, colleague = w.nurse, w.colleague
        # competent + all_valid + practice_met (held > 12 months, 4 practices in the last year)
        _kath_valid(w, nurse, w.days(-400))
        for d in (-300, -200, -100, -10):
            services.practice_record_create(person=nurse, competence="KATH", performed_on=w.days(d), by=w.employee)
        # employee-logged practice is unverified; KATH does not require verified
        row = _status(nurse, "KATH")
        assert row.status == rules.COMPETENT
        assert _codes(row) == ["all_valid", "practice_met", "required_by"]
        # expiring + expires_on: certificate expiring within 30 days
        services.evidence_record(person=nurse, competence="BLS", kind="certificate", achieved_on=w.days(-350),
                                 by=w.assessor)
        row = _status(nurse, "BLS")
        assert row.status == rules.EXPIRING and _codes(row)[0] == "expires_on"
        assert row.valid_until == rules.add_months(w.days(-350), 12)
        # expired + kind_expired
        services.evidence_record(person=colleague, competence="INJ-SC", kind="elearning",
                                 achieved_on=w.days(-500), by=w.assessor)
        row = _status(colleague, "INJ-SC")
        assert row.status == rules.EXPIRED and _codes(row)[0] == "kind_expired"
        # in_progress + kind_valid + kind_missing
        services.evidence_record(person=colleague, competence="KATH", kind="theory", achieved_on=w.days(-10),
                                 by=w.assessor)
        row = _status(colleague, "KATH")
        assert row.status == rules.IN_PROGRESS
        assert _codes(row) == ["kind_valid", "kind_missing", "required_by"]
        # practice_not_yet_counted: held for less than 12 months
        services.evidence_record(person=colleague, competence="KATH", kind="practical", achieved_on=w.days(-5),
                                 by=w.assessor)
        row = _status(colleague, "KATH")
        assert row.status == rules.COMPETENT and "practice_not_yet_counted" in _codes(row)
        # missing + no_evidence
        assert _status(colleague, "BLS").status == rules.MISSING
        # exempt / not_applicable / revoked with their grounds and reasons
        services.exemption_grant(person=nurse, competence="INJ-SC", reason="Eerder elders aangetoond",
                                 until=w.days(90), by=w.manager)
        row = _status(nurse, "INJ-SC")
        assert row.status == rules.EXEMPT and _codes(row)[0] == "exempt"
        assert row.valid_until == w.days(90) and "Eerder elders aangetoond" in row.grounds[0]["text"]
        services.not_applicable_mark(person=colleague, competence="BLS", reason="Werkt niet aan bed", by=w.manager)
        assert _status(colleague, "BLS").status == rules.NOT_APPLICABLE
        assert _codes(_status(colleague, "BLS"))[0] == "not_applicable"
        services.revocation_record(person=colleague, competence="KATH", reason="Incident", by=w.manager)
        row = _status(colleague, "KATH")
        assert row.status == rules.REVOKED and _codes(row)[0] == "revoked"
        assert {s.status for s in CompetenceStatus.objects.all()} >= {
            rules.COMPETENT, rules.EXPIRING, rules.EXPIRED, rules.EXEMPT, rules.NOT_APPLICABLE, rules.REVOKED}


def test_practice_below_minimum_expires_a_held_competence_and_verified_practice_lifts_it(world):
    w = world
    with in_tenant(w.tenant):
        from apps.competences.models import Competence

        Competence.objects.filter(code="KATH").update(practice_verified_only=True)
        _department_profile(w, codes=("KATH",))
        _kath_valid(w, w.nurse, w.days(-400))
        records = [services.practice_record_create(person=w.nurse, competence="KATH", performed_on=w.days(-d),
                                                   by=w.employee) for d in (30, 20, 10)]
        row = _status(w.nurse, "KATH")
        assert row.status == rules.EXPIRED
        assert row.grounds[0] == {"code": "practice_below_minimum", "params": {"done": 0, "required": 3, "months": 12},
                                  "text": row.grounds[0]["text"]}
        for r in records:
            services.practice_record_verify(record=r, by=w.assessor)
        assert _status(w.nurse, "KATH").status == rules.COMPETENT
        with pytest.raises(PermissionDenied):
            services.practice_record_verify(record=records[0], by=w.employee)  # never your own


def test_enrolment_provider_makes_missing_in_progress_with_enrolled_ground(world):
    from apps.competences import facts

    w = world

    def provider(person_ids):
        return {w.nurse.pk: [rules.EnrolmentFact("BLS", "BLS-training", w.days(20))]}

    facts.register_enrolment_provider(provider)
    try:
        with in_tenant(w.tenant):
            _department_profile(w, codes=("BLS",))
            row = _status(w.nurse, "BLS")
            assert row.status == rules.IN_PROGRESS and "enrolled" in _codes(row)
    finally:
        facts._ENROLMENT_PROVIDERS.remove(provider)


def test_authorisation_is_shown_beside_the_status_by_registration_or_order(world):
    w = world
    with in_tenant(w.tenant):
        _department_profile(w, codes=("KATH", "INJ-SC"))
        row = _status(w.nurse, "KATH")
        assert row.authorised is False and row.authorisation_grounds[0]["code"] == "not_authorised"
        Person.objects.filter(pk=w.nurse.pk).update(registration_number="19012345601", profession="nurse")
        services.statuses_recompute(person_ids=[w.nurse.pk])
        row = _status(w.nurse, "KATH")
        assert row.authorised and row.authorisation_grounds[0]["code"] == "authorised_by_registration"
        assert row.status == rules.MISSING  # authorisation never folds into the status
        assert _status(w.nurse, "INJ-SC").authorised is False  # nurses not listed for INJ-SC here
        services.order_record(person=w.nurse, competence="INJ-SC", given_by="Dr. Arts", start=w.days(-1),
                              until=w.days(30), by=w.manager)
        row = _status(w.nurse, "INJ-SC")
        assert row.authorised and row.authorisation_grounds[0]["code"] == "authorised_by_order"
        assert row.next_change <= w.days(31)  # the order's end re-decides it


def test_done_when_profile_link_exemption_show_at_once_and_as_of_shows_the_old(world):
    w = world
    with in_tenant(w.tenant):
        profile = services.profile_create(name="Afdeling Chirurgie", org_unit=w.chir, competence_codes=["KATH"],
                                          by=w.manager)
        # linked a month ago (decided and recorded on that day)
        services.profile_link_create(profile=profile, org_unit=w.chir, by=w.manager, as_of=w.days(-30))
        services.statuses_recompute(person_ids=[w.nurse.pk])
        assert passport_for(w.nurse).entries[0].status == rules.MISSING
        services.exemption_grant(person=w.nurse, competence="KATH", reason="Ervaren IC-verpleegkundige",
                                 by=w.manager)
        now = passport_for(w.nurse)
        assert now.source == "current"
        assert [(e.competence, e.status) for e in now.entries] == [("KATH", "exempt")]
        assert now.entries[0].grounds[0]["params"]["reason"] == "Ervaren IC-verpleegkundige"
        before = passport_for(w.nurse, w.days(-10))
        assert before.source == "history"
        assert [(e.competence, e.status) for e in before.entries] == [("KATH", "missing")]
        assert passport_for(w.nurse, w.days(-60)).entries == []  # nothing was required then
        # a future date is projected by the rules from today's facts
        assert passport_for(w.nurse, w.days(10)).entries[0].status == "exempt"


def test_history_keeps_every_change_with_its_dates(world):
    w = world
    with in_tenant(w.tenant):
        _department_profile(w, codes=("INJ-SC",))
        d0 = w.days(-100)
        services.statuses_recompute(person_ids=[w.nurse.pk], as_of=d0)
        services.evidence_record(person=w.nurse, competence="INJ-SC", kind="elearning", achieved_on=w.days(-5),
                                 by=w.assessor)
        rows = list(CompetenceStatusHistory.objects.filter(person=w.nurse).order_by("valid_from", "id"))
        assert [r.status for r in rows][-1] == rules.COMPETENT
        assert rows[-1].valid_to is None
        closed = [r for r in rows if r.valid_to is not None]
        assert closed and all(r.valid_to == w.today for r in closed)


def test_exemption_only_by_manager_of_the_unit_or_above_or_tenant_admin(world):
    w = world
    with in_tenant(w.tenant):
        _department_profile(w)
        for user in (w.employee, w.other_manager, w.assessor):
            with pytest.raises(PermissionDenied):
                services.exemption_grant(person=w.nurse, competence="KATH", reason="x", by=user)
        services.exemption_grant(person=w.nurse, competence="KATH", reason="via afdeling", by=w.manager)
        services.not_applicable_mark(person=w.outsider, competence="KATH", reason="beheer", by=w.admin)
        assert Exemption.objects.count() == 1


def test_reason_is_required_and_until_may_not_precede_from_nothing_written(world):
    w = world
    with in_tenant(w.tenant):
        _department_profile(w)
        before = (Exemption.objects.count(), AuditEntry.objects.count(), CompetenceStatusHistory.objects.count())
        with pytest.raises(ValidationError) as exc:
            services.exemption_grant(person=w.nurse, competence="KATH", reason=" ", start=w.days(5),
                                     until=w.days(1), by=w.manager)
        assert set(exc.value.message_dict) == {"reason", "until"}
        with pytest.raises(ValidationError) as exc:
            services.exemption_grant(person=w.nurse, competence="NOPE", reason="r", by=w.manager)
        assert "competence" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.evidence_record(person=w.nurse, competence="KATH", kind="theory", achieved_on=w.days(3),
                                     by=w.assessor)
        assert "achieved_on" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.profile_link_create(profile=Profile.objects.get(), person=999999, by=w.manager)
        assert "person" in exc.value.message_dict
        assert (Exemption.objects.count(), AuditEntry.objects.count(),
                CompetenceStatusHistory.objects.count()) == before
        assert not Evidence.objects.exists()


def test_every_write_is_audited_with_person_old_new_and_reason(world):
    w = world
    with in_tenant(w.tenant):
        profile = _department_profile(w)
        ex = services.exemption_grant(person=w.nurse, competence="KATH", reason="ervaren", by=w.manager)
        services.exemption_end(exemption=ex, until=w.today, reason="niet meer nodig", by=w.manager)
        services.profile_remove_competences(profile=profile, competence_codes=["BLS"], by=w.manager, reason="weg")
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
        assert actions[:2] == ["profile.created", "profile_link.created"]
        assert {"exemption.granted", "exemption.ended", "profile.updated"} <= set(actions)
        ended = AuditEntry.objects.get(action="exemption.ended")
        assert ended.person_id == w.nurse.pk and ended.reason == "niet meer nodig"
        assert ended.old["until"] is None and ended.new["until"] == w.today.isoformat()
        assert ended.actor == w.manager
        upd = AuditEntry.objects.get(action="profile.updated")
        assert "BLS" in upd.old["competences"] and "BLS" not in upd.new["competences"]
        assert _status(w.nurse, "BLS") is None  # no longer required: no decision, history stays
        assert CompetenceStatusHistory.objects.filter(person=w.nurse, competence__code="BLS").exists()


def test_manager_edits_only_profiles_of_own_units(world):
    w = world
    with in_tenant(w.tenant):
        with pytest.raises(PermissionDenied):
            services.profile_create(name="X", org_unit=w.intern, competence_codes=["KATH"], by=w.manager)
        p = services.profile_create(name="Team A", org_unit=w.chir_team, competence_codes=["KATH"], by=w.manager)
        with pytest.raises(PermissionDenied):
            services.profile_update(profile=p, name="Y", by=w.other_manager)
        with pytest.raises(PermissionDenied):
            services.profile_link_create(profile=p, person=w.outsider.pk, by=w.manager)


def test_deactivated_person_loses_requirements_but_keeps_history(world):
    from apps.organisation.services import person_deactivate

    w = world
    with in_tenant(w.tenant):
        _department_profile(w)
        assert CompetenceStatus.objects.filter(person=w.nurse).count() == 3
        person_deactivate(person=w.nurse, by=w.admin, reason="uit dienst")
        assert not CompetenceStatus.objects.filter(person=w.nurse).exists()
        assert CompetenceStatusHistory.objects.filter(person=w.nurse).count() == 3
        assert Person.objects.filter(pk=w.nurse.pk, is_active=False).exists()


def test_nightly_sweep_re_decides_only_due_rows(world):
    w = world
    with in_tenant(w.tenant):
        _department_profile(w, codes=("KATH", "BLS"))
        _kath_valid(w, w.nurse, w.days(-10))  # practice not counted until 12 months after
        services.evidence_record(person=w.nurse, competence="BLS", kind="certificate", achieved_on=w.days(-5),
                                 by=w.assessor)
        kath, bls = _status(w.nurse, "KATH"), _status(w.nurse, "BLS")
        assert kath.status == bls.status == rules.COMPETENT
        # pretend time moved on: the BLS row is due, KATH is not
        sweep_day = bls.next_change
        assert kath.next_change > sweep_day
        result = services.statuses_sweep_due(as_of=sweep_day)
        kath2, bls2 = _status(w.nurse, "KATH"), _status(w.nurse, "BLS")
        assert bls2.status == rules.EXPIRING and bls2.decided_for == sweep_day
        assert kath2.decided_at == kath.decided_at and kath2.decided_for == w.today
        assert result.decided == 1
        # nothing due: nothing touched
        assert services.statuses_sweep_due(as_of=w.today).decided == 0


def test_profile_change_touching_many_people_becomes_a_job(world, settings):
    w = world
    settings.CARE_RECOMPUTE_INLINE_LIMIT = 1
    with in_tenant(w.tenant):
        profile = services.profile_create(name="Afdeling Chirurgie", org_unit=w.chir, competence_codes=["KATH"],
                                          by=w.manager)
        result = services.profile_link_create(profile=profile, org_unit=w.chir, by=w.manager)
        assert result.job is not None and result.job.total == 2
        assert result.job.params["person_ids"] == sorted([w.nurse.pk, w.colleague.pk])
        services.statuses_recompute_job_run(job_id=result.job.pk, chunk=1)
        result.job.refresh_from_db()
        assert result.job.status == "done" and result.job.done == 2
        assert CompetenceStatus.objects.filter(competence__code="KATH").count() == 2


def test_recompute_runs_constant_queries_per_batch(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = world
    with in_tenant(w.tenant):
        _department_profile(w)

        def count(n_people):
            ids = []
            for i in range(n_people):
                p = Person.objects.create(personnel_number=f"X{n_people}-{i}", first_name="A", last_name="B",
                                          org_unit=w.chir)
                Evidence.objects.create(person=p, competence_id=_status(w.nurse, "KATH").competence_id,
                                        kind="theory", achieved_on=w.days(-3))
                ids.append(p.pk)
            with CaptureQueriesContext(connection) as ctx:
                services.statuses_recompute(person_ids=ids)
            return len(ctx.captured_queries)

        assert count(3) == count(30)
