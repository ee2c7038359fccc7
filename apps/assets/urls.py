from django.urls import path

from . import views

urlpatterns = [
    path("assets/<str:key>", views.AssetView.as_view()),
]
