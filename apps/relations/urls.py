from django.urls import path

from . import views

urlpatterns = [
    path("relations", views.RelationListView.as_view()),
    path("relations/<str:ids>", views.RelationDetailView.as_view()),
]
