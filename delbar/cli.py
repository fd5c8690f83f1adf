"""The `delbar` command: Django's management commands with Delbar's settings.

`delbar demo`, `delbar import FILE`, `delbar export` and every Django command (`delbar migrate`,
`delbar runserver`, …) go through here, so nobody needs to know about manage.py.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delbar.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A settings problem is the operator's to fix: say what, without a traceback.
        sys.exit(f"delbar: {error} See docs/configuration.md.")


if __name__ == "__main__":
    main()
