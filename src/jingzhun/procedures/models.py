"""Batches of procedures, their steps, public notices and objections.

Rows change only through `services` (one transaction per operation, audited). A procedure's
`version` is its optimistic lock: every step updates `WHERE version = <read version>`, so of two
approvers acting on the same read only one succeeds.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet, TimeStampedModel

from .flows import FLOWS, STATE_CHOICES, Closed, Flow, Kind, ReasonCategory, Step, StepId


def batch_title(kind: str, area_name: str, year: int) -> str:
    return gettext("{area} {year} 年{kind}名单").format(
        area=area_name, year=year, kind=Kind(kind).label
    )


class Batch(TimeStampedModel):
    """A village's list of one kind of procedure for a year (village exits: a township's)."""

    area_code_path = "area_id"

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-year", "area_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "area", "year"], name="procedures_batch_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def flow(self) -> Flow:
        return FLOWS[self.kind]

    @property
    def heading(self) -> str:
        """The batch's name in the reader's language ("泸西县某村 2018 年脱贫名单"), built when
        shown: `title` keeps the words of whoever opened the batch. Reads `self.area`: select
        it along for a list."""
        return batch_title(self.kind, self.area.name, self.year)


class Notice(models.Model):
    """One posting of a batch's list (公示). `token` names its public page; it is not a secret
    (the page is public) but is not guessable from the batch number either."""

    area_code_path = "batch__area_id"

    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="notices"
    )
    token = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    start = models.DateField(_("公示开始日期"))
    end = models.DateField(_("公示结束日期"))
    place = models.CharField(_("公示地点"), max_length=200)
    contact = models.CharField(_("异议受理方式"), max_length=200)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Procedure(TimeStampedModel):
    """One household's (or, for village exits, one village's) way through a flow."""

    area_code_path = "village_id"

    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="procedures"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("贫困户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    # The household's village, or the exiting village itself.
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("进度"), max_length=20, choices=STATE_CHOICES, default=StepId.PROPOSAL
    )
    state_since = models.DateTimeField(_("进入当前进度时间"))
    reason = models.CharField(_("原因类别"), max_length=20, choices=ReasonCategory.choices)
    verdict = models.ForeignKey(
        "assessment.Verdict",
        verbose_name=_("所依据的评估结论"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,  # runs may be deleted; the step record keeps the citation
        related_name="+",
    )
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("公示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    closing_reason = models.CharField(_("结束原因"), max_length=300, blank=True)
    # The same in English where the system wrote it (a recheck at approval, an upheld
    # objection's prefix); empty for a reason a person typed, shown as typed to every reader.
    closing_reason_en = models.CharField(_("结束原因（英文）"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理程序")
        verbose_name_plural = _("办理程序")
        ordering = ["batch_id", "id"]
        indexes = [models.Index(fields=["village", "state"], name="procedure_village_state")]
        constraints = [
            # A household is in at most one open procedure at a time.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(state__in=[s.value for s in StepId if s != StepId.ANNOUNCEMENT]),
                name="procedure_one_open_per_household",
            ),
            models.UniqueConstraint(
                fields=["village"],
                condition=models.Q(
                    kind=Kind.VILLAGE_EXIT,
                    state__in=[s.value for s in StepId if s != StepId.ANNOUNCEMENT],
                ),
                name="procedure_one_open_village_exit",
            ),
        ]

    def __str__(self) -> str:
        subject = self.household.number if self.household_id else self.village_id
        return f"{self.get_kind_display()} {subject}"

    @property
    def flow(self) -> Flow:
        return FLOWS[self.kind]

    @property
    def closing_reason_shown(self) -> str:
        """The closing reason in the reader's language (Chinese where no English was kept)."""
        if self.closing_reason_en and (get_language() or "").startswith("en"):
            return self.closing_reason_en
        return self.closing_reason

    @property
    def is_open(self) -> bool:
        return self.state not in Closed.values and self.state != StepId.ANNOUNCEMENT

    @property
    def next_step(self) -> Step | None:
        return self.flow.next_step(self.state) if self.is_open else None


class StepRecord(models.Model):
    """A step taken: who, when, the evidence. Append-only; the history of a procedure."""

    area_code_path = "procedure__village_id"

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("办理程序"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("环节"), max_length=20, choices=STATE_CHOICES)
    old_state = models.CharField(_("原进度"), max_length=20, choices=STATE_CHOICES, blank=True)
    new_state = models.CharField(_("新进度"), max_length=20, choices=STATE_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence = models.JSONField(_("依据材料"), default=dict, blank=True)
    recorded = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["procedure_id", "id"]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.step}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Channel(models.TextChoices):
    PUBLIC = "public", _("网上公示页")
    IN_PERSON = "in_person", _("现场或来电")


RECEIPT_DIGITS = 12


def new_receipt() -> str:
    """A fresh receipt number (受理编号): 12 random digits (`receipts` formats and looks it up)."""
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def format_receipt(receipt: str) -> str:
    """`482109375512` → `4821 0937 5512`, the way it is printed and read out."""
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


class Objection(models.Model):
    """An objection to one listed procedure, lodged during its notice. While open it blocks the
    procedure's next step; its finding decides whether the procedure continues."""

    area_code_path = "procedure__village_id"

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("办理程序"), on_delete=models.PROTECT, related_name="objections"
    )
    notice = models.ForeignKey(
        Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    # Given to the objector (page message, or by staff for an objection received in person):
    # the only key of the public status lookup (`receipts`), so random, not the row id.
    receipt = models.CharField(
        _("受理编号"), max_length=RECEIPT_DIGITS, unique=True, default=new_receipt, editable=False
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    text = models.TextField(_("异议内容"))
    # Optional; never shown on public pages.
    name = models.CharField(_("异议人"), max_length=40, blank=True)
    contact = models.CharField(_("联系方式"), max_length=40, blank=True)
    # A keyed hash of the client address (never the address): the public form's rate limit.
    client = models.CharField(_("来源标识"), max_length=64, blank=True, db_index=True)
    lodged = models.DateTimeField(_("提出时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("处理状态"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    finding = models.TextField(_("核查结论"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-lodged", "-id"]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.get_status_display()}"

    @property
    def receipt_display(self) -> str:
        return format_receipt(self.receipt)


class ReceiptLookup(models.Model):
    """One public lookup of an objection receipt, kept a day: the lookup page's hourly limit per
    client. `client` is the keyed hash of the address (`services.client_key`), never the address."""

    client = models.CharField(_("来源标识"), max_length=64)
    attempted = models.DateTimeField(_("查询时间"))

    class Meta:
        verbose_name = _("受理编号查询")
        verbose_name_plural = _("受理编号查询")
        ordering = ["-attempted", "-id"]
        indexes = [models.Index(fields=["client", "attempted"], name="receipt_lookup_client")]

    def __str__(self) -> str:
        return f"{self.client[:8]} {self.attempted:%Y-%m-%d %H:%M}"
