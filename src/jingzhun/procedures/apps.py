from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "jingzhun.procedures"
    verbose_name = _("动态管理")
    default_auto_field = "django.db.models.BigAutoField"
