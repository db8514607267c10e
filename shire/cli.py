"""The `shire` command: Django's management commands under the product's name.

`shire consult import-form ...` runs the `consult` management command with its sub-command;
`shire migrate`, `shire runserver` and the rest are Django's own.
"""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shire.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shire", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
