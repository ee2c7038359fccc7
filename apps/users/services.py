"""Reading users for the /users endpoints."""

from apps.core import errors
from apps.core.serialization import row_to_dict

from .models import User

COLLECTION = "directus_users"


def resolve_id(identity, pk: str) -> int:
    """The user id a `:id` segment names; `me` is the caller (public → 401 code 3)."""
    if pk == "me":
        if identity is None or identity.is_public:
            raise errors.Unauthorized()
        return identity.user_id
    try:
        return int(pk)
    except ValueError:
        raise errors.ItemNotFound(f'Item with id "{pk}" not found') from None


def user_row(user_id: int) -> dict:
    """The stored row (as a wire dict, `password` included: shaping removes it)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise errors.ItemNotFound(f'Item with id "{user_id}" not found')
    return row_to_dict(user)
