"""Portal forms. They only validate input; the services in ``applications.services`` do every write."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from budgets.constants import RateMethod
from budgets.models import Period, Region
from sectorplan import parsing
from sectorplan.api.errors import NON_FIELD

from . import rules
from .constants import ApplicationStatus, DocumentKind, Focus, Outcome


def add_domain_errors(form: forms.Form, errors: list[dict], field_map: dict | None = None) -> None:
    """Put a service's ``DomainError.errors`` on the form: on the field when the form has it, else on top."""
    field_map = field_map or {}
    for error in errors:
        name = field_map.get(error.get("field"), error.get("field"))
        if name in form.fields:
            form.add_error(name, error["message"])
        else:
            form.add_error(None, error["message"])


def open_periods(now=None):
    now = now or timezone.now()
    return Period.objects.filter(application_opens__lte=now, application_closes__gt=now).order_by("number")


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        closes = timezone.localtime(obj.application_closes)
        return _("Period %(number)s (open until %(closes)s)") % {
            "number": obj.number,
            "closes": closes.strftime("%d-%m-%Y %H:%M"),
        }


class ApplicationCreateForm(forms.Form):
    period = PeriodChoiceField(
        label=_("Period"), queryset=Period.objects.none(), empty_label=None,
        help_text=_("Only periods whose application window is open now."),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.order_by("name"), empty_label=None,
        help_text=_("The labour-market region the training takes place in."),
    )
    small = forms.BooleanField(
        label=_("Small application"), required=False,
        help_text=_("A small application asks at most the period's small-application limit and accounts with a "
                    "statement of completion instead of cost evidence (R14)."),
    )

    def __init__(self, *args, employer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = open_periods()
        if employer is not None and not self.is_bound:
            self.fields["region"].initial = employer.region_id


#: The form field class of each kind of registration input; the limits come from ``rules.REGISTRATION_INPUT``.
FORM_FIELD_CLASSES = {
    rules.Kind.TEXT: forms.CharField,
    rules.Kind.DATE: parsing.DateField,
    rules.Kind.CHOICE: forms.ChoiceField,
    rules.Kind.DECIMAL: parsing.DecimalField,
    rules.Kind.INTEGER: forms.IntegerField,
}
_DECIMAL_INPUT = {"localize": True, "widget": forms.TextInput(attrs={"inputmode": "decimal"})}
#: What the form adds to the rules: hints and widgets.
PRESENTATION = {
    "initials": {"help_text": _("For example: J.P.")},
    # Dates are asked as day, month and year (parsing.DatePartsWidget, the DateField's own widget).
    "date_of_birth": {"widget": parsing.DatePartsWidget(autocomplete="bday")},
    "contract_hours": _DECIMAL_INPUT,
    "cost": {**_DECIMAL_INPUT, "help_text": _("Required for activity types C, D and E (actual cost).")},
}


def registration_form_field(rule: rules.InputRule) -> forms.Field:
    return FORM_FIELD_CLASSES[rule.kind](label=rule.label, **rule.field_kwargs(), **PRESENTATION.get(rule.name, {}))


class _RegistrationFormBase(forms.Form):
    def __init__(self, *args, period=None, **kwargs):
        super().__init__(*args, **kwargs)
        if period is not None and not period.retention_allowed:
            self.fields["focus"].choices = [c for c in Focus.choices if c[0] != Focus.RETENTION]


#: One registration (R8): its fields are made from ``rules.REGISTRATION_INPUT``, as the API's and the import's are.
#: Ranges and rules across fields (R9-R13) are checked by the service, for every way in alike.
RegistrationForm = type(forms.Form)(
    "RegistrationForm",
    (_RegistrationFormBase,),
    {"__module__": __name__, **{name: registration_form_field(rule) for name, rule in rules.REGISTRATION_INPUT.items()}},
)


# --- The plan as a matrix (R8, R12) ----------------------------------------------------------------


def count_field_name(activity: str, focus: str) -> str:
    return f"count_{activity}_{focus}"


def cost_field_name(activity: str, focus: str) -> str:
    return f"cost_{activity}_{focus}"


class PlanMatrixForm(forms.Form):
    """The plan the employer fills in: a row per activity type of the period, a column per focus it allows; each
    cell a number of trajectories and, for actual-cost types, a planned cost per trajectory. The cells' fields are
    made from ``rules.PLAN_LINE_INPUT`` (as the API's and the import's); the rules are the service's."""

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.rates = {r.activity_type: r for r in period.activity_rates.order_by("activity_type")}
        self.focuses = [f for f in Focus if f != Focus.RETENTION or period.retention_allowed]
        count_rule, cost_rule = rules.PLAN_LINE_INPUT["count"], rules.PLAN_LINE_INPUT["planned_cost"]
        for activity, rate in self.rates.items():
            for focus in self.focuses:
                self.fields[count_field_name(activity, focus)] = FORM_FIELD_CLASSES[count_rule.kind](
                    label=format_lazy(_("Number of trajectories, {activity}, {focus}"), activity=activity,
                                      focus=focus.label),
                    **{**count_rule.field_kwargs(), "required": False},
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "class": "cell-count"}),
                )
                if rate.method == RateMethod.ACTUAL_COST:
                    self.fields[cost_field_name(activity, focus)] = FORM_FIELD_CLASSES[cost_rule.kind](
                        label=format_lazy(_("Planned cost per trajectory, {activity}, {focus}"), activity=activity,
                                          focus=focus.label),
                        **{**cost_rule.field_kwargs(), "required": False}, localize=True,
                        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "cell-cost"}),
                    )

    @classmethod
    def initial_from(cls, lines) -> dict:
        initial = {}
        for line in lines:
            initial[count_field_name(line.activity_type, line.focus)] = line.count
            if line.planned_cost is not None:
                initial[cost_field_name(line.activity_type, line.focus)] = line.planned_cost
        return initial

    def cells(self):
        """``(activity, focus)`` of every cell, in row order."""
        return [(a, f.value) for a in self.rates for f in self.focuses]

    def rows(self) -> tuple[list[dict], list[tuple[str, str]]]:
        """The plan lines the matrix holds (a cell with a number) and the cell of each, in the same order. A cell
        with a cost but no number is an error on the number."""
        rows, cells = [], []
        for activity, focus in self.cells():
            count = self.cleaned_data.get(count_field_name(activity, focus))
            cost_name = cost_field_name(activity, focus)
            cost = self.cleaned_data.get(cost_name) if cost_name in self.fields else None
            if not count:
                if cost is not None:
                    self.add_error(count_field_name(activity, focus),
                                   _("Enter the number of trajectories, or clear the planned cost."))
                continue
            rows.append({"activity_type": activity, "focus": focus, "count": count, "planned_cost": cost})
            cells.append((activity, focus))
        return rows, cells


class PlanLineImportForm(forms.Form):
    file = forms.FileField(
        label=_("Plan file"),
        help_text=format_lazy(
            _("A CSV file (UTF-8, semicolons as Dutch Excel writes them, with a header row) or an Excel file (.xlsx) "
              "with the columns {columns}."),
            columns=";".join(rules.PLAN_LINE_FIELDS),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        return _csv_or_xlsx(self.cleaned_data["file"])


def _csv_or_xlsx(upload):
    name = (upload.name or "").lower()
    if not (name.endswith(".csv") or name.endswith(".xlsx")):
        raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
    return upload


class RegistrationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Registration file"),
        help_text=format_lazy(
            _("A CSV file (UTF-8, with a header row) or an Excel file (.xlsx) with the columns {columns}."),
            columns=", ".join(rules.REGISTRATION_FIELDS),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        return _csv_or_xlsx(self.cleaned_data["file"])


class ConfirmForm(forms.Form):
    """Submitting or withdrawing: an explicit confirmation step."""

    confirm = forms.BooleanField(
        label=_("I understand and confirm"),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you understand this step is final.")},
    )


class WithdrawForm(ConfirmForm):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class QueueFilterForm(forms.Form):
    SORTS = [
        ("decision_due", _("Decision due (soonest first)")),  # R44: the default
        ("submitted_at", _("Submitted (oldest first)")),
        ("-submitted_at", _("Submitted (newest first)")),
        ("reference", _("Reference")),
        ("employer__name", _("Employer name")),
        ("-requested_amount", _("Requested amount (highest first)")),
        ("requested_amount", _("Requested amount (lowest first)")),
    ]
    q = forms.CharField(label=_("Search by reference or KvK number"), required=False, max_length=40)
    period = forms.ModelChoiceField(
        label=_("Period"), queryset=Period.objects.order_by("number"), required=False, empty_label=_("All periods"),
        to_field_name="number",
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All statuses"))] + [c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)


class CompletionRequestForm(forms.Form):
    """R43: what is missing and by when (default: two weeks)."""

    missing = forms.CharField(label=_("What is missing"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    due_date = parsing.DateField(label=_("Due date"), required=False,
                                 help_text=_("Empty: two weeks from today."))


class CompletionForm(forms.Form):
    """R43: the employer's completion of an open request."""

    explanation = forms.CharField(
        label=_("Your completion"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Explain what you add or correct. Send documents as your contact at the office asks."),
    )


__all__ = [
    "NON_FIELD",
    "CompletionForm",
    "CompletionRequestForm",
    "ApplicationCreateForm",
    "ConfirmForm",
    "RegistrationForm",
    "RegistrationImportForm",
    "PlanLineImportForm",
    "PlanMatrixForm",
    "QueueFilterForm",
    "WithdrawForm",
    "add_domain_errors",
]


class EvidenceUploadForm(forms.Form):
    """R50: one evidence document of a registration."""

    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("Document"), help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )


class ProgressForm(forms.Form):
    """R29: progress of an approved registration."""

    started = forms.TypedChoiceField(
        label=_("Has the trajectory started?"), choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda value: value == "1", widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("(not started)")), *Outcome.choices],
        help_text=_("Leave empty when the trajectory did not start."),
    )
    actual_cost = forms.CharField(label=_("Actual cost (euro)"), required=False, max_length=30)

    def clean_actual_cost(self):
        value = self.cleaned_data["actual_cost"].strip()
        if not value:
            return None
        try:
            return parsing.parse_decimal(value, places=2)
        except parsing.ParseError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
