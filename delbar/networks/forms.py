from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

from delbar.cases.documents import ACCEPT_ATTRIBUTE, inspect_upload
from delbar.networks.actions import origin_problems
from delbar.networks.models import Network, NetworkDocument, NewsItem
from delbar.orgs.models import Organization

LOGO_MAX_BYTES = 2 * 1024 * 1024  # a logo, not a photograph: 2 MB is far above any real one
LOGO_MAX_PIXELS = 4096 * 4096     # larger images are refused before they are decoded (decompression bombs)
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def check_logo(logo) -> None:
    """A ValidationError unless the new upload is a PNG, JPEG, GIF or WebP image of a sensible size."""
    if logo.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is %(size)s; the limit is %(limit)s.") % {
            "size": filesizeformat(logo.size), "limit": filesizeformat(LOGO_MAX_BYTES)})
    logo.seek(0)
    try:
        with Image.open(logo) as image:
            kind, (width, height) = image.format, image.size
    except Exception:  # Pillow raises many kinds of errors on a file that is not an image
        raise ValidationError(_("The logo must be a PNG, JPEG, GIF or WebP image.")) from None
    finally:
        logo.seek(0)
    if kind not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG, JPEG, GIF or WebP image."))
    if width * height > LOGO_MAX_PIXELS:
        raise ValidationError(_("The logo is too large (%(width)s × %(height)s pixels).") % {
            "width": width, "height": height})


class NetworkForm(forms.ModelForm):
    """What a network's curators change about it. The logo must be an image; it is stored redrawn as PNG."""

    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Network
        fields = ["description", "logo", "website", "embed_origins", "accepts_suppliers"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "embed_origins": forms.Textarea(attrs={"rows": 3}),
                   "logo": forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            check_logo(logo)
        return logo

    def clean_embed_origins(self):
        text = self.cleaned_data.get("embed_origins", "")
        problems = origin_problems(text)
        if problems:
            raise ValidationError(problems)
        return text

    def network_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("description", "website", "embed_origins",
                                                           "accepts_suppliers")}

    def new_logo(self):
        logo = self.cleaned_data.get("logo")
        return logo if logo and hasattr(logo, "content_type") else None


class NewsForm(forms.ModelForm):
    class Meta:
        model = NewsItem
        fields = ["title", "body", "members_only"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


class JoinForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Join for"), queryset=Organization.objects.none(),
                                          empty_label=None)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[org.pk for org in organizations]).order_by("name")


class DocumentForm(forms.ModelForm):
    class Meta:
        model = NetworkDocument
        fields = ["title", "file"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "content_type"):
            self.detected_type = inspect_upload(upload)
        return upload


class PostForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AddCaseForm(forms.Form):
    """A published case into a collection, by its number (shown on every case page's address)."""

    network = forms.ModelChoiceField(label=_("Network"), queryset=Network.objects.none(), to_field_name="slug",
                                     empty_label=None)
    case = forms.IntegerField(label=_("Case number"), min_value=1, max_value=2**63 - 1,
                              help_text=_("The number in the case's address, such as 12 in /cases/12/."))

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks
