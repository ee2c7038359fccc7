from django.urls import path

from . import views

urlpatterns = [
    path("fields", views.AllFieldsView.as_view()),
    path("fields/<str:collection>", views.CollectionFieldsView.as_view()),
    path("fields/<str:collection>/<str:names>", views.FieldDetailView.as_view()),
]
