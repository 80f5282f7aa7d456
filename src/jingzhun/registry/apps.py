from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jingzhun.registry"
    verbose_name = "建档立卡"

    def ready(self) -> None:
        from jingzhun.exports import kinds

        from .exports import HOUSEHOLDS

        kinds.register(HOUSEHOLDS)
