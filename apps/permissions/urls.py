from django.urls import path

from . import views

urlpatterns = [
    path("permissions", views.PermissionsView.as_view()),
    path("permissions/me", views.MyPermissionsView.as_view()),
    path("permissions/me/<str:collection>", views.MyPermissionsView.as_view()),
    path("permissions/<str:ids>", views.PermissionView.as_view()),
]
