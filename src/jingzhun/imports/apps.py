from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "jingzhun.imports"
    verbose_name = "导入任务"
