from django.urls import path

from .views import OpenAPIView

urlpatterns = [
    path("openapi.json", OpenAPIView.as_view()),
]
