from django.urls import path

from . import views

urlpatterns = [
    path("revisions", views.RevisionListView.as_view()),
    path("revisions/<str:ids>", views.RevisionDetailView.as_view()),
]
