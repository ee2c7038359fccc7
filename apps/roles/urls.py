from django.urls import path

from . import views

urlpatterns = [
    path("roles", views.RolesView.as_view()),
    path("roles/<str:ids>", views.RoleView.as_view()),
]
