from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "jingzhun.dashboard"
    verbose_name = _("驾驶舱")
    default_auto_field = "django.db.models.BigAutoField"
