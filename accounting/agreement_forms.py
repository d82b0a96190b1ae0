"""Forms of the project agreement pages (R45)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AgreementUploadForm(forms.Form):
    signed_agreement = forms.FileField(label=_("Signed project agreement (PDF)"))
    kvk_extract = forms.FileField(label=_("KvK extract (PDF)"))
    #: Read by ``sectorplan.parsing`` (``31-12-2026`` or ISO), as every date people type.
    kvk_extract_date = forms.CharField(label=_("Issue date of the KvK extract"), max_length=20)


class AgreementReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason (required when rejecting)"), required=False, widget=forms.Textarea,
                             max_length=4000)
