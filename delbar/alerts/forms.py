import re

from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.alerts.models import AlertSettings, Subscription
from delbar.orgs.models import County, Sector


class AlertSettingsForm(forms.ModelForm):
    class Meta:
        model = AlertSettings
        fields = ["frequency"]
        widgets = {"frequency": forms.RadioSelect}


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["topic", "value"]

    def clean(self):
        cleaned = super().clean()
        topic, value = cleaned.get("topic"), (cleaned.get("value") or "").strip()
        if topic == Subscription.Topic.SECTOR and not Sector.objects.filter(pk=value).exists():
            self.add_error("value", _("Unknown sector. Use one of: %(sectors)s") % {
                "sectors": ", ".join(Sector.objects.values_list("pk", flat=True))})
        elif topic == Subscription.Topic.CPV and not re.fullmatch(r"\d{2,8}", value):
            self.add_error("value", _("Write a CPV code or the start of one: two to eight digits."))
        elif topic == Subscription.Topic.COUNTY and not County.objects.filter(pk=value).exists():
            self.add_error("value", _("Unknown county number."))
        elif topic == Subscription.Topic.SEARCH and not value:
            self.add_error("value", _("Write the words to search for."))
        cleaned["value"] = value
        return cleaned
