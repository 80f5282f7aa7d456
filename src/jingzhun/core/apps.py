from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jingzhun.core"
    verbose_name = "核心"
