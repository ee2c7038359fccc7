from django.urls import path

from . import views

urlpatterns = [
    path("auth/authenticate", views.AuthenticateView.as_view()),
    path("auth/refresh", views.RefreshView.as_view()),
    path("auth/logout", views.LogoutView.as_view()),
    path("auth/logout/<int:user>", views.LogoutUserView.as_view()),
    path("auth/logout/<int:user>/<int:session>", views.LogoutUserView.as_view()),
    path("auth/check", views.CheckView.as_view()),
    path("auth/sessions", views.SessionsView.as_view()),
    path("auth/password/request", views.PasswordRequestView.as_view()),
    path("auth/password/reset", views.PasswordResetView.as_view()),
    path("auth/sso", views.SsoProvidersView.as_view()),
]
