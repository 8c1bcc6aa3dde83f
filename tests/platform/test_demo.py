from apps.accounts.models import User
from support import in_tenant
from tenants.demo import DEMO_TENANTS, demo_load
from tenants.models import Tenant


def _snapshot():
    counts = {}
    for slug in DEMO_TENANTS:
        tenant = Tenant.objects.get(slug=slug)
        with in_tenant(tenant):
            counts[slug] = User.objects.count()
    return counts


def test_demo_loader_is_idempotent_and_has_every_role(tenants_db):
    demo_load(verbose=False)
    first = _snapshot()
    demo_load(verbose=False)
    assert _snapshot() == first
    with in_tenant(Tenant.objects.get(slug="noord")):
        roles = {r for u in User.objects.all() for r in u.roles}
    assert {"employee", "manager", "assessor", "tenant_admin"} <= roles
    with in_tenant(Tenant.objects.get(slug="vavo")):
        assert User.objects.filter(roles__contains=["student_admin"]).exists()
