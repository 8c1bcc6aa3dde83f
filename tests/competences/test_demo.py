"""Demo data for care tenants: realistic, every status and ground appears, idempotent."""
from collections import Counter

from apps.competences import demo, rules
from apps.competences.models import CompetenceStatus, CompetenceStatusHistory
from apps.competences.selectors import passport_for
from apps.organisation.models import OrgUnit, Person
from support import in_tenant
from tenants.demo import DEMO_TENANTS, demo_users_ensure


def test_demo_for_a_care_tenant_shows_every_status_and_is_idempotent(tenant_a):
    with in_tenant(tenant_a):
        demo_users_ensure(DEMO_TENANTS["noord"][2])
        demo.load(tenant_a)
        counts = (Person.objects.count(), CompetenceStatus.objects.count(), CompetenceStatusHistory.objects.count())
        assert counts[0] >= 200
        statuses = Counter(CompetenceStatus.objects.values_list("status", flat=True))
        assert set(statuses) == set(rules.STATUSES), statuses
        grounds = {g["code"] for s in CompetenceStatus.objects.all() for g in s.grounds}
        assert grounds >= set(rules.GROUND_CODES) - {"enrolled"}, set(rules.GROUND_CODES) - grounds
        sanne = Person.objects.get(user__email="sanne.jansen@noord.demo")
        assert len({e.status for e in passport_for(sanne).entries}) >= 6
        manager = Person.objects.get(user__email="ingrid.devries@noord.demo").user
        assert OrgUnit.objects.get(code="CHIR").managers.filter(pk=manager.pk).exists()
        assert Person.objects.filter(is_active=False).exists()
        demo.load(tenant_a)
        assert (Person.objects.count(), CompetenceStatus.objects.count(),
                CompetenceStatusHistory.objects.count()) == counts


def test_demo_does_nothing_for_an_education_tenant(school):
    with in_tenant(school):
        demo.load(school)
        assert not Person.objects.exists()
