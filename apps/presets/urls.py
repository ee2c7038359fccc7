from django.urls import path

from . import views

urlpatterns = [
    path("collection_presets", views.PresetsView.as_view()),
    path("collection_presets/<str:ids>", views.PresetView.as_view()),
]
