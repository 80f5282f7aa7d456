from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jingzhun.audit"
    verbose_name = "审计日志"
