from tenants.demo import demo_load
from tenants.models import CustomerGroup, Feedback, PassportVersion, Rollout, Tenant
from tenants.selectors import effective_version_for


def test_control_plane_demo_is_idempotent_and_pilots_2026_4_at_noord(tenants_db):
    demo_load(verbose=False)
    counts = [m.objects.count() for m in (CustomerGroup, PassportVersion, Rollout, Feedback)]
    demo_load(verbose=False)
    assert [m.objects.count() for m in (CustomerGroup, PassportVersion, Rollout, Feedback)] == counts
    rollout = Rollout.objects.get(version__name="2026.4")
    assert rollout.status == "running"
    assert [(s.target_label, s.status) for s in rollout.stages.order_by("order")] == [
        ("Pilotgroep", "active"), ("Golf 1", "pending")]
    assert PassportVersion.objects.get(name="2026.3").status == "general"
    assert PassportVersion.objects.get(name="2026.4").status == "piloting"
    assert effective_version_for(tenant=Tenant.objects.get(slug="noord")).version.name == "2026.4"
    assert effective_version_for(tenant=Tenant.objects.get(slug="vavo")).version.name == "2026.3"
