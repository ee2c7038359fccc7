"""The endpoints of the test app: a DRF view (authenticates itself) and a plain Django view
(authenticated by the dispatcher, caller in `request.directus_identity`)."""

from django.http import JsonResponse
from django.urls import path

from apps.core import errors
from apps.core.views import DirectusView
from apps.projects.context import current_project


class GreetView(DirectusView):
    def get(self, request, name: str = "world"):
        return self.respond({"hello": name, "user": request.user.user_id, "project": current_project().key})

    def post(self, request, name: str = "world"):
        if request.user.is_public:
            raise errors.UserNotAuthenticated()
        return self.respond({"received": request.data})


def plain(request):
    identity = request.directus_identity
    return JsonResponse({"data": {"user": identity.user_id, "project": current_project().key}})


def broken(request):
    raise errors.Forbidden("Not today")


urlpatterns = [
    path("", GreetView.as_view()),
    path("greet/<str:name>", GreetView.as_view()),
    path("plain", plain),
    path("broken", broken),
]
