"""Forms of the procedure pages. The evidence form of a step is generated from the flow's `Field`
specs, so a page can never ask for less (or other) evidence than `services.take_step` checks;
the service validates again and its messages land on the same fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .flows import Closed, Field, Step, StepId

TEXT_MAX = 500


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PageForm(forms.Form):
    """Several of these share one page form (a step panel each, the close panel): no browser
    `required` attribute, or an empty field of another panel would block the submit."""

    use_required_attribute = False


def form_field(spec: Field) -> forms.Field:
    """The form field of one piece of evidence (kinds date, int, text, choice)."""
    common: dict[str, Any] = {"label": spec.label, "required": spec.required}
    if spec.kind == "date":
        return forms.DateField(widget=DateInput(), **common)
    if spec.kind == "int":
        return forms.IntegerField(min_value=0, **common)
    if spec.kind == "choice":
        assert spec.choices is not None
        return forms.ChoiceField(choices=[("", "---------"), *spec.choices.choices], **common)
    return forms.CharField(max_length=TEXT_MAX, **common)


def evidence_form_class(step: Step) -> type[forms.Form]:
    """A form with one field per evidence field of `step` (an assessment verdict is cited by the
    proposal page itself, never typed)."""
    fields = {spec.name: form_field(spec) for spec in step.evidence if spec.kind != "verdict"}
    return type(f"{step.id.title()}EvidenceForm", (PageForm,), fields)


def evidence_form(step: Step, data: Any = None) -> forms.Form:
    """The step's evidence form; its fields are prefixed by the step id so the forms of several
    steps can share one page. Dates start at today, a notice's length at NOTICE_DAYS."""
    initial: dict[str, Any] = {
        spec.name: services.today() for spec in step.evidence if spec.kind == "date"
    }
    if step.id == StepId.NOTICE:
        initial["days"] = services.notice_days()
    return evidence_form_class(step)(data, prefix=str(step.id), initial=initial)


def apply_errors(error: ValidationError, form: forms.Form) -> None:
    """A service ValidationError onto the form: keyed messages on their field when the form has
    it, everything else as non-field errors."""
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            target = key if key in form.fields else None
            if key == NON_FIELD_ERRORS:
                target = None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class CloseForm(PageForm):
    outcome = forms.ChoiceField(
        label=_("操作"),
        choices=[
            (Closed.REJECTED.value, _("不予通过")),
            (Closed.WITHDRAWN.value, _("撤回（公示前）")),
        ],
        widget=forms.RadioSelect,
        initial=Closed.REJECTED.value,
    )
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.TextInput)


class ObjectionForm(forms.Form):
    """An objection received in person or by phone, entered by staff."""

    procedure = forms.TypedChoiceField(label=_("异议所涉户"), coerce=int)
    text = forms.CharField(
        label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    name = forms.CharField(label=_("异议人（可不填）"), max_length=40, required=False)
    contact = forms.CharField(label=_("联系方式（可不填）"), max_length=40, required=False)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", "---------"), *choices]


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核查结论"),
        choices=[("dismissed", _("异议不成立，继续办理")), ("upheld", _("异议成立，移出名单"))],
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(label=_("核查情况"), max_length=2000, widget=forms.TextInput)
