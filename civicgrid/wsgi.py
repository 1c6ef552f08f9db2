import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
application = get_wsgi_application()

# A host whose data keys cannot read the database's refuses to start (core.keyring): gunicorn's
# worker fails to boot and the log says why. The first start on an empty database records them.
from django.db import connections  # noqa: E402

from civicgrid.core import keyring  # noqa: E402  # needs the settings loaded above

keyring.check_at_start("web app")
# The check ran in the worker's main thread, which serves no request: give its connection back
# (to the pool), or each worker would keep one of its pool's connections for good.
connections.close_all()
