from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jingzhun.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from jingzhun.accounts import signals  # noqa: F401  (connects the login audit receivers)
