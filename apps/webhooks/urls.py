from django.urls import path

from . import views

urlpatterns = [
    path("webhooks", views.WebhooksView.as_view()),
    path("webhooks/<str:ids>", views.WebhookView.as_view()),
    path("webhooks/<str:ids>/revisions", views.WebhookRevisionsView.as_view()),
    path("webhooks/<str:ids>/revisions/<str:offset>", views.WebhookRevisionsView.as_view()),
]
