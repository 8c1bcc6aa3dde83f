"""Demo data for care tenants (called by tenants/demo.py for every demo tenant).

A realistic catalogue (injections, catheterisation, gastric tube, infusion, venepuncture and
risky procedures), departments with teams, ~200 people with Dutch names whose histories make
every status appear, department profiles linked to the departments, and the demo users
linked to people (the manager manages Chirurgie). Statuses are decided at three dates so the
passport "as of" an earlier day has something to show. Idempotent: a second run adds nothing.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from apps.competences import rules

CATALOGUE = [
    # code, name, category, evidence {kind: months}, practice (count, months, verified_only) or None, warning, professions
    ("INJ-SC", "Injecteren subcutaan (s.c.)", "reserved", {"theory": 24, "practical": 24}, None, 60, ["nurse"]),
    ("INJ-IM", "Injecteren intramusculair (i.m.)", "reserved", {"theory": 24, "practical": 24}, None, 60, ["nurse"]),
    ("INJ-IV", "Injecteren intraveneus (i.v.)", "reserved", {"theory": 24, "practical": 12}, (4, 12, True), 60, []),
    ("KATH", "Blaaskatheterisatie", "reserved", {"theory": 24, "practical": 24}, (3, 12, False), 60, ["nurse"]),
    ("MAAG", "Maagsonde inbrengen", "reserved", {"theory": 24, "practical": 24}, (2, 12, False), 60, ["nurse"]),
    ("INFUUS", "Infuus aanleggen", "reserved", {"theory": 24, "practical": 12}, (4, 12, True), 60, []),
    ("VENA", "Venapunctie", "reserved", {"elearning": 24, "practical": 24}, None, 45, ["nurse"]),
    ("BLS", "Basic Life Support (reanimatie)", "risky", {"certificate": 12}, None, 30, []),
    ("CVK", "Centraal veneuze katheter verzorgen", "risky", {"theory": 24, "practical": 24}, None, 60, []),
    ("TRACH", "Tracheacanule uitzuigen", "risky", {"elearning": 12, "practical": 24}, (2, 12, False), 60, []),
    ("PIJN", "Epidurale pijnbestrijding bewaken", "risky", {"theory": 12}, None, 30, []),
    ("MED", "Medicatie klaarzetten en toedienen", "other", {"elearning": 12}, None, 30, []),
]

UNITS = [
    ("CHIR", "Chirurgie", "department", None),
    ("CHIR-A", "Chirurgie team A", "team", "CHIR"),
    ("CHIR-B", "Chirurgie team B", "team", "CHIR"),
    ("INT", "Interne geneeskunde", "department", None),
    ("CARD", "Cardiologie", "department", None),
    ("NEU", "Neurologie", "department", None),
    ("SEH", "Spoedeisende hulp", "department", None),
    ("KIND", "Kinderafdeling", "department", None),
]

PROFILES = {
    "CHIR": ["INJ-SC", "INJ-IM", "KATH", "MAAG", "INFUUS", "VENA", "BLS", "CVK", "PIJN"],
    "INT": ["INJ-SC", "INJ-IM", "INJ-IV", "KATH", "MAAG", "VENA", "BLS", "MED"],
    "CARD": ["INJ-SC", "INJ-IV", "INFUUS", "VENA", "BLS", "CVK", "MED"],
    "NEU": ["INJ-SC", "KATH", "MAAG", "BLS", "TRACH", "MED"],
    "SEH": ["INJ-SC", "INJ-IM", "INJ-IV", "INFUUS", "VENA", "BLS", "KATH"],
    "KIND": ["INJ-SC", "MAAG", "VENA", "BLS", "MED"],
}

FIRST = ["Anna", "Sanne", "Lotte", "Emma", "Fleur", "Iris", "Julia", "Lisa", "Noor", "Eva", "Sophie", "Femke",
         "Anouk", "Marloes", "Ilse", "Esther", "Karin", "Linda", "Petra", "Yvonne", "Fatima", "Yasmina", "Mila",
         "Daan", "Bram", "Thijs", "Ruben", "Jeroen", "Mark", "Kees", "Joost", "Sven", "Tim", "Mohamed", "Youssef",
         "Niels", "Pieter", "Wouter", "Koen", "Rik"]
LAST = ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
        "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
        "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
        "Haan", "Vermeulen", "van den Heuvel", "van der Veen", "El Idrissi", "Yilmaz", "Kaya", "Postma"]

# scenario -> weight; every status appears in every department
SCENARIOS = [("competent", 40), ("expiring", 10), ("expired", 10), ("in_progress", 10), ("missing", 10),
             ("practice_low", 4), ("exempt", 5), ("not_applicable", 5), ("revoked", 3)]
# the demo employee's own passport shows one of each, in this order
SHOWCASE = ["competent", "expiring", "expired", "in_progress", "missing", "exempt", "not_applicable", "revoked",
            "competent"]
PEOPLE = 200


def load(tenant) -> None:
    if getattr(tenant, "kind", "") != "care":
        return
    from apps.organisation.models import Person

    today = timezone.localdate()
    with transaction.atomic():
        if Person.objects.filter(personnel_number="D0001").exists():
            _link_demo_users(tenant)
            return
        _build(tenant, today)
        _link_demo_users(tenant)
    from apps.competences.services import statuses_recompute

    ids = list(Person.objects.values_list("id", flat=True))
    for back in (180, 60, 0):  # decided on those days: history for "as of"
        statuses_recompute(person_ids=ids, as_of=today - timedelta(days=back))


def _demo_users(tenant):
    from apps.accounts.models import User

    users = list(User.objects.order_by("id"))
    by_role = {}
    for u in users:
        for r in u.roles:
            by_role.setdefault(r, []).append(u)
    return users, by_role


def _build(tenant, today: date) -> None:
    from apps.competences.models import (Competence, Evidence, EvidenceRequirement, Exemption, NotApplicable, Order,
                                         PracticeRecord, Profile, ProfileLink, Revocation)
    from apps.organisation.models import OrgUnit, Person

    rng = random.Random(f"paspoort-demo-{tenant.slug}")
    users, by_role = _demo_users(tenant)
    assessor = (by_role.get("assessor") or [None])[0]
    manager = next((u for u in by_role.get("manager", []) if not u.has_role("tenant_admin")), None)

    comps = {}
    for code, name, category, evidence, practice, warning, professions in CATALOGUE:
        c = Competence.objects.create(
            code=code, name=name, category=category, warning_days=warning, authorised_professions=professions,
            practice_count=practice[0] if practice else None, practice_months=practice[1] if practice else None,
            practice_verified_only=practice[2] if practice else False)
        comps[code] = c
    EvidenceRequirement.objects.bulk_create([
        EvidenceRequirement(competence=comps[code], kind=k, validity_months=m)
        for code, _n, _c, evidence, *_rest in CATALOGUE for k, m in evidence.items()])
    spec = {code: (evidence, practice) for code, _n, _c, evidence, practice, *_r in CATALOGUE}

    units = {}
    for code, name, kind, parent in UNITS:
        units[code] = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=units.get(parent))
    for code, codes in PROFILES.items():
        profile = Profile.objects.create(name=f"Afdeling {units[code].name}", kind="department", org_unit=units[code])
        profile.competences.set([comps[c] for c in codes])
        ProfileLink.objects.create(profile=profile, org_unit=units[code], valid_from=today - timedelta(days=730),
                                   created_by=manager)
    basic = Profile.objects.create(name="Functie verpleegkundige", kind="function", org_unit=units["CHIR"])
    basic.competences.set([comps["BLS"], comps["MED"]])

    member_units = ["CHIR-A", "CHIR-B", "CHIR", "INT", "CARD", "NEU", "SEH", "KIND"]
    people = []
    for i in range(1, PEOPLE + 1):
        nurse = rng.random() < 0.7
        people.append(Person(
            personnel_number=f"D{i:04d}", first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
            org_unit=units[member_units[i % len(member_units)]],
            function="Verpleegkundige" if nurse else rng.choice(["Verzorgende IG", "MBO-verpleegkundige"]),
            employment_start=today - timedelta(days=rng.randint(200, 6000)),
            profession="nurse" if nurse else "", registration_number=f"{rng.randint(10**10, 10**11 - 1)}" if nurse else ""))
    # one leaver: deactivated, never deleted
    people[-1].is_active = False
    people[-1].employment_end = today - timedelta(days=40)
    Person.objects.bulk_create(people)
    people = list(Person.objects.select_related("org_unit").order_by("personnel_number"))
    for p in people:
        if rng.random() < 0.15:
            ProfileLink.objects.create(profile=basic, person=p, valid_from=today - timedelta(days=365))

    evidence, practice, exemptions, nas, revocations, orders = [], [], [], [], [], []
    weights = [w for _s, w in SCENARIOS]
    names = [s for s, _w in SCENARIOS]
    for idx, p in enumerate(people):
        dept = p.org_unit.code.split("-")[0]
        codes = PROFILES[dept]
        for n, code in enumerate(codes):
            scenario = SHOWCASE[n % len(SHOWCASE)] if idx == 0 else rng.choices(names, weights)[0]
            kinds, prac = spec[code]
            c = comps[code]

            def passed(kind, days_ago, months=None):
                evidence.append(Evidence(person=p, competence=c, kind=kind, achieved_on=today - timedelta(days=days_ago),
                                         passed=True, assessor=assessor))

            longest = max(kinds.values())
            shortest = min(kinds.values())
            if scenario in ("competent", "exempt", "not_applicable", "revoked", "practice_low"):
                for kind in kinds:
                    passed(kind, rng.randint(400, 400 + shortest * 30 - 460) if shortest >= 24
                           else rng.randint(20, shortest * 30 - 100))
            elif scenario == "expiring":
                for kind, months in kinds.items():
                    d = rules.add_months(today, -months) + timedelta(days=rng.randint(5, 20))
                    passed(kind, (today - d).days)
            elif scenario == "expired":
                for kind, months in kinds.items():
                    d = rules.add_months(today, -months) - timedelta(days=rng.randint(10, 200))
                    passed(kind, (today - d).days)
            elif scenario == "in_progress":
                passed(next(iter(kinds)), rng.randint(5, 60))
            if rng.random() < 0.05 and scenario != "missing":
                evidence.append(Evidence(person=p, competence=c, kind=next(iter(kinds)), passed=False,
                                         achieved_on=today - timedelta(days=rng.randint(30, 300)), assessor=assessor))
            if prac:
                count, months, verified_only = prac
                done = 0 if scenario == "practice_low" else count + rng.randint(0, 3)
                for _k in range(done):
                    practice.append(PracticeRecord(
                        person=p, competence=c, performed_on=today - timedelta(days=rng.randint(1, months * 30 - 20)),
                        count=1, verified_by=assessor if verified_only or rng.random() < 0.6 else None,
                        verified_at=timezone.now() if verified_only or rng.random() < 0.6 else None))
            if scenario == "exempt":
                exemptions.append(Exemption(person=p, competence=c, start=today - timedelta(days=rng.randint(10, 200)),
                                            until=rng.choice([None, today + timedelta(days=rng.randint(30, 300))]),
                                            reason="Aantoonbaar bekwaam via vorige werkgever", by=manager))
            elif scenario == "not_applicable":
                nas.append(NotApplicable(person=p, competence=c, start=today - timedelta(days=rng.randint(10, 400)),
                                         reason="Voert deze handeling op deze afdeling niet uit", by=manager))
            elif scenario == "revoked":
                revocations.append(Revocation(person=p, competence=c, start=today - timedelta(days=rng.randint(5, 90)),
                                              until=rng.choice([None, today + timedelta(days=60)]),
                                              reason="Ingetrokken na incidentmelding; opnieuw toetsen", by=manager))
        if not p.profession and rng.random() < 0.5:
            orders.append(Order(person=p, competence=comps["INJ-IV"] if "INJ-IV" in codes else None,
                                given_by="Dr. M. Hoekstra (internist)", description="Opdracht i.v. medicatie",
                                start=today - timedelta(days=100), until=today + timedelta(days=265), by=manager))
    Evidence.objects.bulk_create(evidence, batch_size=2000)
    PracticeRecord.objects.bulk_create(practice, batch_size=2000)
    Exemption.objects.bulk_create(exemptions)
    NotApplicable.objects.bulk_create(nas)
    Revocation.objects.bulk_create(revocations)
    Order.objects.bulk_create(orders)


def _link_demo_users(tenant) -> None:
    """Demo users get a Person (the employee is D0001, whose passport shows every status);
    managers manage Chirurgie; the tenant admin manages everything through the role."""
    from apps.organisation.models import OrgUnit, Person

    users, by_role = _demo_users(tenant)
    chir = OrgUnit.objects.filter(code="CHIR").first()
    chir_a = OrgUnit.objects.filter(code="CHIR-A").first()
    if chir is None:
        return
    employee = next((u for u in by_role.get("employee", []) if u.roles == ["employee"]), None)
    if employee is not None and not Person.objects.filter(user=employee).exists():
        Person.objects.filter(personnel_number="D0001", user__isnull=True).update(
            user=employee, first_name=employee.first_name, last_name=employee.last_name, email=employee.email,
            org_unit=chir_a)
    for n, u in enumerate(users):
        if Person.objects.filter(user=u).exists():
            continue
        if u.has_role("manager") and not u.has_role("tenant_admin"):
            chir.managers.add(u)
        Person.objects.get_or_create(
            personnel_number=f"U{u.pk:04d}",
            defaults={"first_name": u.first_name or u.email, "last_name": u.last_name or "", "email": u.email,
                      "user": u, "org_unit": chir_a if u.has_role("employee") else chir,
                      "function": "Leidinggevende" if u.has_role("manager") else "Verpleegkundige",
                      "profession": "nurse", "registration_number": f"1900000{u.pk:04d}"})
