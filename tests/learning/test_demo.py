"""The learning, sharing and notification demos load after the competences demo, in a care
tenant, and a second run adds nothing."""
from __future__ import annotations

import importlib

from support import in_tenant


def _counts():
    from apps.competences.models import PracticeRecord
    from apps.learning.models import Course, CourseSession, Enrolment, LearningPath
    from apps.notifications.models import Notification
    from apps.sharing.models import PassportShare, TeamLeader

    return {m.__name__: m.objects.count() for m in (Course, CourseSession, Enrolment, LearningPath, PracticeRecord,
                                                     PassportShare, TeamLeader, Notification)}


def test_demo_loads_once_with_a_waitlist_shares_and_practice_awaiting_sign_off(tenant_a):
    from tenants.demo import DEMO_TENANTS, demo_users_ensure

    with in_tenant(tenant_a):
        demo_users_ensure(DEMO_TENANTS["noord"][2])
        for label in ("organisation", "competences", "learning", "sharing", "notifications"):
            if importlib.util.find_spec(f"apps.{label}.demo") is not None:
                importlib.import_module(f"apps.{label}.demo").load(tenant_a)
        first = _counts()
        for label in ("learning", "sharing", "notifications"):
            importlib.import_module(f"apps.{label}.demo").load(tenant_a)
        assert _counts() == first
        from apps.competences.models import PracticeRecord
        from apps.learning.models import Enrolment

        assert Enrolment.objects.filter(status="waitlisted").count() == 2
        assert Enrolment.objects.filter(result="passed").exclude(evidence=None).exists()
        assert PracticeRecord.objects.filter(verified_at__isnull=True, rejected=False).count() >= 3
        assert first["LearningPath"] == 3 and first["PassportShare"] == 2 and first["TeamLeader"] == 2


def test_demo_does_nothing_in_a_school(school):
    with in_tenant(school):
        for label in ("learning", "sharing", "notifications"):
            importlib.import_module(f"apps.{label}.demo").load(school)
        assert _counts()["Course"] == 0
