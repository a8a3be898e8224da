"""The ``gonghui`` command: Django's management commands plus our own (up, demo, audit, jobs, ...)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"gonghui: configuration error: {exc}\n")
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    argv[0] = "gonghui"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
