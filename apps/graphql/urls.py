from django.urls import path

from .views import GraphQLEndpoint

urlpatterns = [
    path("gql", GraphQLEndpoint.as_view()),
]
