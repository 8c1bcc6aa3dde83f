"""Forms of the vendor's control-plane pages (they feed the services, nothing more)."""
from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from tenants.features import feature_choices
from tenants.models import CustomerGroup, PassportVersion, SupportSession, Tenant


def _care_rule_choices():
    from apps.competences.rules import RULE_SETS

    return [(v, v) for v in RULE_SETS]


def _funding_rule_choices():
    from apps.funding.rules import RULE_SETS

    return [(r.version, r.version) for r in RULE_SETS]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reden"), required=False, max_length=2000)


class TenantCreateForm(forms.Form):
    slug = forms.CharField(label=_("Subdomein"), max_length=40)
    name = forms.CharField(label=_("Naam"), max_length=200)
    kind = forms.ChoiceField(label=_("Soort"), choices=Tenant.Kind.choices)
    admin_email = forms.EmailField(label=_("E-mail eerste beheerder"))


class GroupForm(forms.ModelForm):
    tenants = forms.ModelMultipleChoiceField(
        label=_("Klanten"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Tenant.objects.exclude(schema_name="public"))

    class Meta:
        model = CustomerGroup
        fields = ["name", "slug", "description", "tenants"]


class VersionForm(forms.ModelForm):
    features = forms.MultipleChoiceField(label=_("Functies"), required=False,
                                         widget=forms.CheckboxSelectMultiple, choices=feature_choices)
    care_rules_version = forms.ChoiceField(label=_("Regelset zorg"), choices=_care_rule_choices)
    funding_rules_version = forms.ChoiceField(label=_("Regelset bekostiging"), choices=_funding_rule_choices)

    class Meta:
        model = PassportVersion
        fields = ["name", "release_notes_nl", "release_notes_en", "features", "care_rules_version",
                  "funding_rules_version"]


class RolloutForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Versie"), queryset=PassportVersion.objects.filter(
        status__in=["draft", "piloting", "rolling_out"]))


class StageForm(forms.Form):
    ALL_REMAINING = "all"
    target = forms.ChoiceField(label=_("Doel"), required=False)
    planned_start = forms.DateTimeField(label=_("Geplande start"), required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    min_days_in_previous_stage = forms.IntegerField(label=_("Min. dagen in vorige fase"), min_value=0,
                                                    initial=0, required=False)
    block_on_open_blocking_feedback = forms.BooleanField(label=_("Wacht op blokkerende feedback"),
                                                         initial=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), (self.ALL_REMAINING, _("alle overige klanten"))] + [
            (str(g.pk), g.name) for g in CustomerGroup.objects.all()]

    def stage_spec(self):
        target = self.cleaned_data.get("target")
        if not target:
            return None
        return {"group": None if target == self.ALL_REMAINING else int(target),
                "planned_start": self.cleaned_data.get("planned_start"),
                "min_days_in_previous_stage": self.cleaned_data.get("min_days_in_previous_stage") or 0,
                "block_on_open_blocking_feedback": self.cleaned_data.get("block_on_open_blocking_feedback")}


StageFormSet = formset_factory(StageForm, extra=4, max_num=10)


class PinForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Versie"), queryset=PassportVersion.objects.exclude(status="retired"))
    reason = forms.CharField(label=_("Reden"), max_length=2000)


class SupportOpenForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Klant"), queryset=Tenant.objects.exclude(schema_name="public")
                                    .filter(status=Tenant.Status.ACTIVE))
    reason = forms.CharField(label=_("Reden"), max_length=2000)
    minutes = forms.IntegerField(label=_("Duur (minuten, max. 240)"), min_value=1,
                                 max_value=SupportSession.MAX_MINUTES, initial=60)
