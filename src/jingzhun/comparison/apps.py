from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonConfig(AppConfig):
    name = "jingzhun.comparison"
    verbose_name = "数据比对"

    def ready(self) -> None:
        from jingzhun.imports import kinds

        kinds.register(
            kinds.ImportKind(
                name="comparison.dataset",
                label=_("部门数据"),
                run=kinds.lazy("jingzhun.comparison.jobs.run"),
                page="dataset-load",
            )
        )
        kinds.register(
            kinds.ImportKind(
                name="comparison.tasks",
                label=_("核查结果"),
                run=kinds.lazy("jingzhun.comparison.task_import.run"),
                page="comparison-tasks-import",
            )
        )
