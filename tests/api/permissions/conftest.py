from tests.api.users.factories import editor, editor_api, schema  # noqa: F401
