"""WSGI entry point (gunicorn ``wallet_site.wsgi``): the customer API on its lean middleware lane,
everything else on the full stack (``core.wsgi_lanes``)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wallet_site.settings")

from core.wsgi_lanes import lanes_application

application = lanes_application()
