from django.http import HttpResponse, HttpResponseRedirect
from django.views import View

from apps.core.views import DirectusView


class RootView(View):
    def get(self, request):
        return HttpResponseRedirect("./admin/")


class PingView(View):
    def get(self, request):
        return HttpResponse("pong", content_type="text/plain; charset=utf-8")


class InfoView(DirectusView):
    pass


class ProjectsView(DirectusView):
    pass


class ProjectDetailView(DirectusView):
    pass


class ProjectInfoView(DirectusView):
    pass
