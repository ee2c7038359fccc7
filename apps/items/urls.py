from django.urls import path

from . import views

urlpatterns = [
    path("items/<str:collection>", views.ItemsView.as_view()),
    path("items/<str:collection>/<str:ids>", views.ItemView.as_view()),
    path("items/<str:collection>/<str:ids>/revisions", views.ItemRevisionsView.as_view()),
    path("items/<str:collection>/<str:ids>/revisions/<str:offset>", views.ItemRevisionsView.as_view()),
    path("items/<str:collection>/<str:ids>/revert/<str:revision>", views.ItemRevertView.as_view()),
]
