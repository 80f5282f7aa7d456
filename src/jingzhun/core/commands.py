"""The base of the commands an operator runs by hand or from a timer (`jingzhun assess`,
`import`, `export`, `snapshot`, …)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class OperatorCommand(BaseCommand):
    """A management command that starts without Django's system checks.

    The checks import every URL configuration, view and the engine (~1.7 s of a 3 s
    `jingzhun assess` on the demo county) and find nothing a deployment has not already been
    checked for: `jingzhun check` (run by the tests and the deployment docs) and `jingzhun
    serve` still run them.
    """

    requires_system_checks: list[str] = []
