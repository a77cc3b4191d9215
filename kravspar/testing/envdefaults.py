"""Pytest plugin loaded with ``-p`` so it runs before pytest-django reads settings.

Tests need a secret key but must never see a real one; everything else keeps the
production defaults so that the suite exercises the settings users get.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-tests-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kravspar.settings")
# The test client speaks plain HTTP; production redirects to HTTPS (tested in test_operations).
os.environ.setdefault("KRAVSPAR_SSL_REDIRECT", "0")
