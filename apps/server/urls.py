from django.urls import path

from . import views

urlpatterns = [
    path("", views.RootView.as_view()),
    path("server/ping", views.PingView.as_view()),
    path("server/info", views.InfoView.as_view()),
    path("server/projects", views.ProjectsView.as_view()),
    path("server/projects/<str:key>", views.ProjectDetailView.as_view()),
]
