"""Choices of the row links (`RowLink`): how a department row was linked to a person, and
whether a person has decided on it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    # The compiler joins a raw valid ID number to the person directly: no link row is stored for
    # it (it would copy every matching row); the value names that path where links are listed.
    EXACT = "exact", _("证件号码一致")
    TOKEN = "token", _("令牌一致")  # noqa: S105 - a choice label, not a password
    FUZZY = "fuzzy", _("姓名、出生日期和区划相近")


class LinkStatus(models.TextChoices):
    POSSIBLE = "possible", _("可能匹配（待确认）")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否定")
