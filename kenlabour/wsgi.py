"""WSGI entry point, served by gunicorn (see docs/deploy.md)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from kenlabour.config import ConfigurationError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenlabour.settings")

try:
    application = get_wsgi_application()
except ConfigurationError as error:
    sys.stderr.write(f"Erreur de configuration : {error}\n")
    sys.exit(2)
