"""The public objection form of a notice page, with its CAPTCHA-free anti-abuse measures:

- a honeypot field (`homepage`) that CSS hides from people; a filled one marks a robot, whose
  submission the view pretends to accept and drops;
- a signed time stamp of when the form was rendered: a submission sooner than MIN_SECONDS after
  (no person reads the list and writes a reason that fast) or later than MAX_SECONDS is refused;
- the per-client hourly limit of `services.lodge_objection`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .notices import NoticeContent

STAMP_SALT = "jingzhun.procedures.objection-form"
MIN_SECONDS = 3
MAX_SECONDS = 24 * 3600


def now() -> float:
    """The clock of the stamp check (tests move it to play a reader who took their time)."""
    return time.time()


def make_stamp(token: uuid.UUID) -> str:
    """A signed, time-stamped value naming the notice; rendered into the form."""
    return signing.TimestampSigner(salt=STAMP_SALT).sign(str(token))


def stamp_age(stamp: str, token: uuid.UUID) -> float | None:
    """Seconds since `stamp` was made for this notice; None when it is forged or for another
    notice. The signature covers the time stamp, so the time read after `unsign` is genuine."""
    signer = signing.TimestampSigner(salt=STAMP_SALT)
    try:
        value = signer.unsign(stamp)
    except signing.BadSignature:
        return None
    if value != str(token):
        return None
    made = signing.b62_decode(stamp.rsplit(signer.sep, 2)[1])
    return now() - made


class ObjectionForm(forms.Form):
    procedure = forms.TypedChoiceField(label=_("对名单中哪一项有异议"), coerce=int)
    text = forms.CharField(
        label=_("异议内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明理由和您了解的情况（至少 5 个字）"),
    )
    name = forms.CharField(label=_("您的姓名（可不填）"), max_length=40, required=False)
    contact = forms.CharField(label=_("联系方式（可不填）"), max_length=40, required=False)
    # The honeypot: hidden by CSS, skipped by keyboard and screen readers (see the template).
    homepage = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # Checked in clean(): a missing stamp is refused like a forged or stale one.
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, content: NoticeContent, token: uuid.UUID, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.token = token
        self.fields["procedure"].choices = [("", "---------")] + [
            (
                row.procedure,
                gettext("{line}. {name}({change})").format(
                    line=row.line, name=row.name, change=row.change
                ),
            )
            for row in content.rows
        ]

    @property
    def is_robot(self) -> bool:
        """The honeypot was filled (read from the raw data: no validation needed)."""
        return bool(self.is_bound and (self.data.get("homepage") or "").strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        age = stamp_age(data.get("stamp") or "", self.token)
        if age is None or age > MAX_SECONDS:
            raise forms.ValidationError(gettext("页面已过期，请核对内容后重新提交"), code="expired")
        if age < MIN_SECONDS:
            raise forms.ValidationError(gettext("提交过快，请核对内容后再次提交"), code="too_fast")
        return data

    def refresh_stamp(self) -> None:
        """A new stamp for the re-rendered form, so a person can correct and resubmit."""
        self.data = self.data.copy()
        self.data["stamp"] = make_stamp(self.token)


class ReceiptForm(forms.Form):
    """The receipt number an objector was given (spaces and dashes allowed)."""

    receipt = forms.CharField(
        label=_("受理编号"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("提交异议时页面显示的 12 位数字"),
    )
