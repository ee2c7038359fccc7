from django.urls import path

from . import views

urlpatterns = [
    path("mail", views.MailView.as_view()),
]
