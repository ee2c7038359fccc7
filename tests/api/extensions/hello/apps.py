"""A Django app that adds a custom endpoint, as a third-party app would (from ready())."""

from django.apps import AppConfig


def register_endpoints() -> None:
    from apps.extensions import registry

    registry.register("hello", "tests.api.extensions.hello.urls")


class HelloConfig(AppConfig):
    name = "tests.api.extensions.hello"
    label = "tests_hello_endpoint"

    def ready(self):
        register_endpoints()
