#!/usr/bin/env python
"""Django's command-line utility for Kenlabour."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenlabour.settings")
    from django.core.management import execute_from_command_line

    from kenlabour.config import ConfigurationError

    try:
        execute_from_command_line(sys.argv)
    except ConfigurationError as error:
        sys.stderr.write(f"Erreur de configuration : {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
