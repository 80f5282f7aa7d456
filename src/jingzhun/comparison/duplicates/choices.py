"""Choices of the duplicates review."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PairKind(models.TextChoices):
    PERSON = "person", _("人员疑似重复")
    HOUSEHOLD = "household", _("户疑似拆分或合并")


class Basis(models.TextChoices):
    NAME = "name", _("姓名相同")
    READING = "reading", _("姓名拼音首字母相同")


class PairStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    NOT_DUPLICATE = "not_duplicate", _("不是重复")
    MERGED = "merged", _("已合并")
    # A household pair confirmed as the same family: it is settled by the registry's procedures
    # (a deregistration, a member's removal), not by merging two households here.
    CONFIRMED = "confirmed", _("确认重复")
    # A later detection no longer finds it (a person removed, a name or birth date corrected).
    GONE = "gone", _("原因已消除")


DECIDED = (PairStatus.NOT_DUPLICATE, PairStatus.MERGED, PairStatus.CONFIRMED)
