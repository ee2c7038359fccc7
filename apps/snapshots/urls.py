from django.urls import path

from . import views

urlpatterns = [
    path("schema/snapshot", views.SnapshotView.as_view()),
    path("schema/diff", views.DiffView.as_view()),
    path("schema/apply", views.ApplyView.as_view()),
]
