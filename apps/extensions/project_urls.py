"""Routes under /:project/: custom endpoint extensions."""

from django.urls import path

from . import views

urlpatterns = [
    path("custom/<str:name>", views.custom_endpoint),
    path("custom/<str:name>/<path:rest>", views.custom_endpoint),
]
