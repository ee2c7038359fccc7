from tests.api.permissions.matrix import matrix, matrix_schema, member  # noqa: F401
from tests.api.users.factories import editor, editor_api, schema  # noqa: F401
