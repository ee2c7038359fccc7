from django.urls import path

from . import views

urlpatterns = [
    path("activity", views.ActivityListView.as_view()),
    path("activity/comment", views.CommentCreateView.as_view()),
    path("activity/comment/<str:ids>", views.CommentDetailView.as_view()),
    path("activity/<str:ids>", views.ActivityDetailView.as_view()),
]
