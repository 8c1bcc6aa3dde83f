"""`{% load releases %}{% feature_enabled "care.what_if" as on %}{% if on %}...{% endif %}`"""
from django import template

from tenants.features import feature_enabled as _feature_enabled

register = template.Library()


@register.simple_tag(takes_context=True)
def feature_enabled(context, key):
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return False
    return _feature_enabled(key, tenant)
