from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "jingzhun.registry"
    verbose_name = "建档立卡"

    def ready(self) -> None:
        from jingzhun.exports import kinds
        from jingzhun.imports import kinds as import_kinds

        from .exports import HOUSEHOLDS

        kinds.register(HOUSEHOLDS)
        import_kinds.register(
            import_kinds.ImportKind(
                name="registry.workbook",
                label=_("建档立卡登记表"),
                run=import_kinds.lazy("jingzhun.registry.excel.jobs.run"),
                page="registry-import",
            )
        )
