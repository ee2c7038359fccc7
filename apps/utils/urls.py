from django.urls import path

from . import views

urlpatterns = [
    path("utils/hash", views.HashView.as_view()),
    path("utils/hash/match", views.HashMatchView.as_view()),
    path("utils/random/string", views.RandomStringView.as_view()),
    path("utils/2fa_secret", views.TwoFactorSecretView.as_view()),
    path("utils/export/<str:collection>", views.ExportView.as_view()),
    path("utils/import/<str:collection>", views.ImportView.as_view()),
]
