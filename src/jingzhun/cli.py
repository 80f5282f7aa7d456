"""The `jingzhun` command: demo, serve, import, export, and Django's management commands.

Each subcommand is a Django management command in the app that owns it; this entry point sets up
settings and dispatches, so `jingzhun X` and `django-admin X` are the same thing.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["help"]
    execute_from_command_line(["jingzhun", *args])


if __name__ == "__main__":
    main()
