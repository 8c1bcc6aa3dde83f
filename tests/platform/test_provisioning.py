"""Provisioning: all or nothing, clean errors, clones that carry no customer rows."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django_tenants.utils import schema_exists

from support import in_tenant, make_user
from tenants.models import Domain, Tenant
from tenants.services import template_row_counts, tenant_create


def _leftovers(slug):
    return (Tenant.objects.filter(slug=slug).exclude(schema_name="public").exists(), Domain.objects.filter(domain__startswith=f"{slug}.").exists(),
            schema_exists("t_" + slug.replace("-", "_")))


@pytest.mark.parametrize("slug", ["Upper", "under_score", "-lead", "trail-", "", "a" * 41, "public", "admin",
                                  "www", "api", "static", "media", "sp ace", "ümlaut"])
def test_invalid_or_reserved_slug_is_refused_and_leaves_nothing(tenants_db, slug):
    with pytest.raises(CommandError) as err:
        call_command("create_tenant", slug, name="X", kind="care", admin_email="a@b.nl")
    assert "slug" in str(err.value)
    assert _leftovers(slug) == (False, False, False)


def test_bad_admin_email_rolls_back_schema_and_rows(tenants_db):
    with pytest.raises(ValidationError) as err:
        tenant_create(slug="halfway", name="Half", kind="care", admin_email="not-an-email")
    assert "email" in err.value.message_dict
    assert _leftovers("halfway") == (False, False, False)


def test_duplicate_slug_is_a_clear_error(tenant_a):
    with pytest.raises(CommandError, match="al in gebruik"):
        call_command("create_tenant", "alpha", name="Dubbel", kind="care", admin_email="x@y.nl")


def test_create_tenant_command_prints_login_and_clones_schema(tenants_db, capsys):
    call_command("create_tenant", "gamma-zorg", name="Gamma Zorg", kind="care", admin_email="Beheer@Gamma.nl")
    out = capsys.readouterr().out
    assert "http://gamma-zorg.localhost:8000/" in out and "beheer@gamma.nl" in out and "Wachtwoord:" in out
    tenant = Tenant.objects.get(slug="gamma-zorg")
    assert tenant.schema_name == "t_gamma_zorg" and schema_exists("t_gamma_zorg")
    from apps.accounts.models import User
    with in_tenant(tenant):
        admin = User.objects.get()
        assert admin.email == "beheer@gamma.nl" and admin.is_tenant_admin and admin.is_staff
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM t_gamma_zorg.django_migrations")
        assert cur.fetchone()[0] > 10  # migrations recorded by the clone, not replayed


def test_api_token_command_prints_token_only_for_that_tenant(tenant_a, tenant_b, capsys):
    make_user(tenant_a, email="token-user@alpha.test")
    call_command("api_token", "alpha", "token-user@alpha.test")
    assert len(capsys.readouterr().out.strip()) == 40
    with pytest.raises(CommandError, match="Geen gebruiker"):
        call_command("api_token", "beta", "token-user@alpha.test")


def test_template_holds_no_customer_rows(tenant_a):
    counts = template_row_counts()
    assert counts, "template has tables"
    assert {t: n for t, n in counts.items() if n} == {}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creations_of_one_slug_exactly_one_succeeds(tenants_db):
    results = []
    barrier = threading.Barrier(2)

    def create():
        try:
            barrier.wait()
            tenant_create(slug="racer", name="Racer", kind="care", admin_email="r@racer.nl")
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.message_dict)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results.count("ok") == 1
    assert [r for r in results if r != "ok"][0] == {"slug": ["Het subdomein 'racer' is al in gebruik."]}
    assert Tenant.objects.filter(slug="racer").count() == 1
    with connection.cursor() as cur:
        cur.execute("DROP SCHEMA t_racer CASCADE")


def test_new_tenant_takes_a_prepared_spare_schema_from_the_warm_pool(tenants_db):
    from tenants.services import spare_schemas, spare_schemas_fill

    # A worker may have filled the pool already (tenant_create refills it after commit).
    spare_schemas_fill(count=len(spare_schemas()) + 1)
    before = set(spare_schemas())
    result = tenant_create(slug="warm", name="Warm", kind="care", admin_email="beheer@warm.nl")
    taken = before - set(spare_schemas())
    assert len(taken) == 1 and not schema_exists(taken.pop())
    assert schema_exists("t_warm")
    from apps.accounts.models import User
    with in_tenant(result.tenant):
        assert list(User.objects.values_list("email", flat=True)) == ["beheer@warm.nl"]


def test_stale_spare_schemas_are_dropped_on_migrate(tenants_db):
    from tenants.services import _spare_schemas_drop_stale, spare_schemas, spare_schemas_fill

    spare_schemas_fill(count=len(spare_schemas()) + 1)
    assert spare_schemas()
    _spare_schemas_drop_stale({("competences", "9999_from_the_future")})
    assert spare_schemas() == []
