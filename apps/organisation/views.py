"""Pages of the organisation: the HR import (for the tenant administrator)."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from apps.organisation import services
from apps.organisation.selectors import is_tenant_admin


@login_required
def hr_import_page(request):
    if not is_tenant_admin(request.user):
        raise PermissionDenied
    job, errors = None, []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors.append("Kies een CSV-bestand.")
        else:
            raw = upload.read()
            try:
                content = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                content = raw.decode("cp1252")
            try:
                job = services.hr_import_start(content=content, by=request.user, filename=upload.name,
                                               deactivate_missing=bool(request.POST.get("deactivate_missing")))
            except ValidationError as exc:
                errors = [m for ms in exc.message_dict.values() for m in ms]
    return TemplateResponse(request, "organisation/import.html", {"job": job, "errors": errors},
                            status=400 if errors else 200)
