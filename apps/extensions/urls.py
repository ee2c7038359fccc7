"""Global routes (no project prefix)."""

from django.urls import path

from . import views

urlpatterns = [
    path("interfaces", views.InterfacesView.as_view()),
    path("layouts", views.LayoutsView.as_view()),
    path("modules", views.ModulesView.as_view()),
    path("types", views.TypesView.as_view()),
]
