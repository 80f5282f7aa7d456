"""Server-side masking of sensitive values (security-reference §2.1). Pure module.

Lists show masked values; the full value appears only on an explicit, audited action. Every
function is idempotent: masking a masked value returns it unchanged.
"""

from __future__ import annotations

MASK = "*"


def mask_id_number(value: str | None) -> str:
    """First 6 + last 4 kept; the birth date (positions 7–14) is always hidden."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Mobile numbers keep 3 + 4 digits (135****2210); anything shorter keeps its last 2."""
    if not value:
        return ""
    value = str(value)
    if len(value) >= 11:
        return value[:3] + MASK * (len(value) - 7) + value[-4:]
    return MASK * max(len(value) - 2, 0) + value[-2:]


def mask_name(value: str | None) -> str:
    """Keep the surname character: 张三 → 张*, 王小明 → 王*明, 欧阳娜娜 → 欧**娜."""
    if not value:
        return ""
    value = str(value)
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + MASK
    return value[0] + MASK * (len(value) - 2) + value[-1]


def mask_account(value: str | None) -> str:
    """Bank accounts keep the first 4 and last 4 characters."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return MASK * len(value)
    return value[:4] + MASK * (len(value) - 8) + value[-4:]
