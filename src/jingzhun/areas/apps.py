from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "jingzhun.areas"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from jingzhun.imports import kinds

        kinds.register(
            kinds.ImportKind(
                name="areas.workbook",
                label=_("区划表"),
                run=kinds.lazy("jingzhun.areas.excel.jobs.run"),
                page="area-import",
            )
        )
