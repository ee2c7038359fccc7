"""`python -m directus <command>` (or the `directus` script an install puts on the PATH): the
management commands of manage.py, for a server installed with `pip install .`."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directus.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line([os.path.basename(sys.argv[0]) or "directus", *sys.argv[1:]])


if __name__ == "__main__":
    main()
