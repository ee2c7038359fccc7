from django.urls import path

from . import views

urlpatterns = [
    path("utils/hash", views.HashView.as_view()),
    path("utils/hash/match", views.HashMatchView.as_view()),
    path("utils/random/string", views.RandomStringView.as_view()),
    path("utils/2fa_secret", views.TwoFactorSecretView.as_view()),
]
