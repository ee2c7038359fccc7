from django.urls import path, re_path

from . import views

urlpatterns = [
    path("settings", views.SettingsView.as_view()),
    path("settings/fields", views.SettingsFieldsView.as_view()),
    # Numeric ids only (CSV for several), as Directus 8 routes them; anything else is 404 code 1.
    re_path(r"^settings/(?P<ids>[0-9]+(?:,[0-9]+)*)$", views.SettingDetailView.as_view()),
]
