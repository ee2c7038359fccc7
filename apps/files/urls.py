from django.urls import path

from . import views

urlpatterns = [
    path("files", views.FilesView.as_view()),
    path("files/<str:ids>", views.FileView.as_view()),
    path("files/<str:ids>/revisions", views.FileRevisionsView.as_view()),
    path("files/<str:ids>/revisions/<str:offset>", views.FileRevisionsView.as_view()),
]
