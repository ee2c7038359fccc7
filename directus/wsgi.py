import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directus.settings.dev")

django_application = get_wsgi_application()

from directus.fastlane import FastLane  # noqa: E402  (needs Django set up)

application = FastLane(django_application)
