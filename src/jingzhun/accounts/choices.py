from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    TOWNSHIP_OPERATOR = "township_operator", _("乡镇操作员")
    VILLAGE_OPERATOR = "village_operator", _("村级操作员")
    VIEWER = "viewer", _("只读用户")


EDITING_ROLES = {Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR, Role.VILLAGE_OPERATOR}
