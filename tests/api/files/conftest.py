from tests.api.files.helpers import local_storage, s3_endpoint, storage, web_server  # noqa: F401
from tests.api.users.factories import editor, editor_api, schema  # noqa: F401
