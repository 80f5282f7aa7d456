"""A person's decision on a possible (fuzzy) link: confirmed, the rules use it; rejected, it is
never offered again. One transaction each, audited, inside the user's area."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import masking
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.standards import dataset_kinds

from ..choices import LinkStatus
from ..models import RowLink


@transaction.atomic
def decide_link(link: RowLink, *, confirm: bool, acting_user: Any) -> RowLink:
    """Confirm or reject a possible link. Confirming one rejects the row's other possible links
    (a row is one person). Refused: a user who may not edit or outside whose area the person is
    (PermissionDenied); a link already decided or a row already confirmed (ValidationError)."""
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有确认匹配的权限"))
    visible = RowLink.objects.visible_to(acting_user).select_for_update(of=("self",))
    try:
        link = visible.select_related("person", "dataset_row__dataset").get(pk=link.pk)
    except RowLink.DoesNotExist:
        raise PermissionDenied(_("该匹配不在您的管辖范围内")) from None
    if link.status != LinkStatus.POSSIBLE:
        raise ValidationError(_("该匹配已经确认或否定"))
    now = timezone.now()
    others = 0
    if confirm:
        row_links = RowLink.objects.filter(dataset_row_id=link.dataset_row_id).exclude(pk=link.pk)
        if row_links.filter(status=LinkStatus.CONFIRMED).exists():
            raise ValidationError(_("该数据行已确认匹配其他成员"))
        others = row_links.filter(status=LinkStatus.POSSIBLE).update(
            status=LinkStatus.REJECTED, decided_by=acting_user, decided=now
        )
    link.status = LinkStatus.CONFIRMED if confirm else LinkStatus.REJECTED
    link.decided_by, link.decided = acting_user, now
    link.save(update_fields=["status", "decided_by", "decided"])
    row = link.dataset_row
    audit.record(
        actor=acting_user,
        action=Action.UPDATE,
        instance=link,
        model="comparison.rowlink",
        changes={"status": [LinkStatus.POSSIBLE, link.status], "others_rejected": others},
        household_id=link.person.household_id,
        area_code=link.area_code,
        message=(
            _("确认匹配：{kind} 第{row}行 → 成员 {name}（匹配概率 {score}）")
            if confirm
            else _("否定匹配：{kind} 第{row}行 → 成员 {name}（匹配概率 {score}）")
        ).format(
            kind=getattr(dataset_kinds.available().get(row.dataset.kind), "name", row.dataset.kind),
            row=row.row,
            name=masking.mask_name(link.person.name),
            score=f"{link.score:.2f}" if link.score is not None else "—",
        ),
    )
    return link
