from django.urls import path

from . import views

urlpatterns = [
    path("users/me", views.UserDetailView.as_view(), {"pk": "me"}),
]
