from django.urls import path

from . import views

urlpatterns = [
    path("folders", views.FoldersView.as_view()),
    path("folders/<str:ids>", views.FolderView.as_view()),
]
