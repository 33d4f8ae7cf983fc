"""The ``harbour`` command: Django's management commands under the project's own name
(``harbour demo generate``, ``harbour audit verify``, ``harbour migrate``)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbour.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["harbour", *sys.argv[1:]])


if __name__ == "__main__":
    main()
