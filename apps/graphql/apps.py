from django.apps import AppConfig


class GraphQLConfig(AppConfig):
    name = "apps.graphql"
    label = "directus_graphql"
    verbose_name = "GraphQL"
