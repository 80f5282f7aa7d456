from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "jingzhun.assessment"
    verbose_name = _("退出评估")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jingzhun.exports import kinds

        from .export_kinds import COMPARISON

        kinds.register(COMPARISON)
