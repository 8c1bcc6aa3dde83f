from django.contrib import admin

from apps.funding.models import Diploma, Enrolment, FundingDecision, FundingYear, Participant, SubjectResult
from apps.web.admin_sites import ReadOnlyAdmin, tenant_site


@admin.register(FundingDecision, site=tenant_site)
class FundingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["funding_year", "kind", "object_type", "object_label", "participant_label", "status", "codes"]
    list_filter = ["kind", "funding_year", "status", "object_type", "track"]
    search_fields = ["participant_label", "object_label"]

    # Decisions are computed, never edited by hand.


# Facts are read-only here: writes go through the services (audit and recompute), i.e. the
# funding pages, the API and the import (national figures and the final run too).
for model in (Participant, Enrolment, SubjectResult, Diploma, FundingYear):
    tenant_site.register(model, ReadOnlyAdmin)
