"""Demo data of the VAVO tenant: every signal appears alone and in combination; idempotent."""
from __future__ import annotations

from apps.funding import demo, rules
from apps.funding.models import FundingDecision, FundingYear, Participant
from apps.funding.selectors import decision_differences
from support import in_tenant


def test_demo_makes_every_signal_appear_alone_and_combined_and_is_idempotent(school):
    with in_tenant(school):
        demo.load(school)
        assert 280 <= Participant.objects.count() <= 320
        alone, combined = set(), set()
        for codes in FundingDecision.objects.filter(kind="provisional", status="rejected").values_list(
                "codes", flat=True):
            (alone if len(codes) == 1 else combined).update(codes)
        assert alone == set(rules.SIGNALS), set(rules.SIGNALS) - alone
        assert combined == set(rules.SIGNALS), set(rules.SIGNALS) - combined
        assert FundingDecision.objects.filter(status="funded").count() > 300
        assert all(rules.has_valid_id(rules.ParticipantFact("x", p.bsn or None, p.onderwijsnummer or None,
                                                            p.birth_date, True, True, True, True))
                   for p in Participant.objects.exclude(bsn="", onderwijsnummer=""))
        assert FundingYear.objects.get(year=2026).is_final
        assert decision_differences(year=2026), "demo shows a final/current difference"

        counts = (Participant.objects.count(), FundingDecision.objects.count(),
                  list(FundingDecision.objects.order_by("id").values_list("id", flat=True)[:5]))
        demo.load(school)
        assert (Participant.objects.count(), FundingDecision.objects.count(),
                list(FundingDecision.objects.order_by("id").values_list("id", flat=True)[:5])) == counts


def test_demo_adds_nothing_to_a_care_tenant(tenant_a):
    with in_tenant(tenant_a):
        demo.load(tenant_a)
        assert not Participant.objects.exists()


def test_demo_identifiers_pass_the_eleven_test():
    import random

    rng = random.Random(1)
    from stdnum.nl import bsn, onderwijsnummer

    assert all(bsn.is_valid(demo.demo_bsn(rng)) for _ in range(200))
    assert all(onderwijsnummer.is_valid(demo.demo_onderwijsnummer(rng)) for _ in range(200))
