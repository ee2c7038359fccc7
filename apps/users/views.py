"""`/:project/users` (users.md): the item operations on directus_users, plus invitations,
page tracking, 2FA activation and revisions. `:id` may be `me` (the caller) wherever it is
accepted. The rules every write of a user follows live in `services.UserWriteHooks`; the per-row
read rule in `services.hide_private_fields`."""

from django.utils import timezone

from apps.core import errors
from apps.items.operations import ItemService
from apps.items.system import SystemCollectionView, SystemListView
from apps.projects.context import require_project
from apps.schema.project_settings import load_settings

from . import services
from .models import User, UserStatus

LAST_PAGE_MAX = 192


class UsersBaseView(SystemCollectionView):
    collection_name = services.COLLECTION
    # True while the request reads or writes only the caller's own row: the private columns are
    # readable then (apps.schema.user_columns.PRIVATE); lists never open them to non-admins.
    own_row = False

    def service(self) -> ItemService:
        return ItemService.for_request(self.request, self.query, own_user_row=self.own_row)

    def only_own_row(self, ids: str) -> str:
        identity = self.request.user
        self.own_row = not identity.is_public and ids == str(identity.user_id)
        return ids


class UsersView(UsersBaseView, SystemListView):
    pass


class UserView(UsersBaseView):
    def get(self, request, ids: str):
        return self.ids_response(self.collection(), self.only_own_row(services.resolve_ids(request.user, ids)))

    def patch(self, request, ids: str):
        return self.update_response(self.collection(), self.only_own_row(services.resolve_ids(request.user, ids)))

    def delete(self, request, ids: str):
        return self.delete_response(self.collection(), services.resolve_ids(request.user, ids))


class InviteView(UsersBaseView):
    def get(self, request):
        raise errors.ItemNotFound('Item with id "invite" not found')  # GET /users/:id with id "invite"

    def post(self, request):
        identity = request.user
        if not identity.is_admin:
            raise errors.Forbidden("Inviting user was denied")
        emails = services.invitation_emails(request.data)
        project = require_project()
        settings = load_settings()
        build_link = services.invitation_link_builder(project, settings)
        info = self.collection()
        items = self.service()
        with items.atomic():
            new = [email for email in emails if not User.objects.filter(email__iexact=email).exists()]
            if new:
                items.create(info, [{"email": email, "status": UserStatus.INVITED} for email in new])
            # Queued with the users: both are committed, or neither.
            for email in new:
                link = build_link(services.invitation_token(project, email, identity.user_id))
                services.queue_invitation(email, link, settings, identity.user)
        ids = []
        for email in emails:
            matches = User.objects.filter(email__iexact=email).exclude(status=UserStatus.DELETED)
            ids += [pk for pk in matches.order_by("pk").values_list("pk", flat=True) if pk not in ids]
        invited = items.read(info, ids, self.query).data if ids else None
        return self.respond(invited or [])


class AcceptInviteView(UsersBaseView):
    def get(self, request, token: str):
        return self._accept(token)

    def post(self, request, token: str):
        return self._accept(token)

    def _accept(self, token: str):
        email = services.invitation_email(require_project(), token)
        info = self.collection()
        # The invited caller has no token yet: the route's checks are the token's.
        server = self.service().as_server()
        with server.atomic():
            invited = User.objects.select_for_update().filter(email__iexact=email, status=UserStatus.INVITED)
            user = invited.order_by("pk").first()
            if user is None:
                raise errors.UserNotFound()
            # The user as it was before activation (users.md), read with no row restriction.
            before = server.read(info, [user.pk], self.query, many=False)
            server.update(info, [user.pk], {"status": UserStatus.ACTIVE})
        return self.respond_items(before)


class TrackingPageView(UsersBaseView):
    def patch(self, request, ids: str):
        identity = request.user
        user_id = services.resolve_id(identity, ids)
        if identity.is_public:
            raise errors.Unauthorized()
        # Directus 8 checked nothing here; only the user themself (or an admin) may move it.
        if not identity.is_admin and user_id != identity.user_id:
            raise errors.UpdateDenied('Updating items in "directus_users" collection was denied')
        body = request.data
        if not isinstance(body, dict):
            raise errors.InvalidPayload()
        page = body.get("last_page")
        if not isinstance(page, str):
            raise errors.InvalidRequest("last_page: This value should be a string.")
        if len(page) > LAST_PAGE_MAX:
            raise errors.UnprocessableEntity(f"last_page: the value is longer than {LAST_PAGE_MAX} characters")
        if not User.objects.filter(pk=user_id).update(last_page=page, last_access_on=timezone.now()):
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')
        return self.ids_response(self.collection(), self.only_own_row(str(user_id)))


class ActivateTwoFactorView(UsersBaseView):
    # Reachable while the role's enforce_2fa would refuse the user everywhere else (auth.md).
    allow_without_2fa = True

    def post(self, request, ids: str):
        identity = request.user
        user_id = services.resolve_id(identity, ids)
        if identity.is_public:
            raise errors.Unauthorized()
        body = request.data
        if not isinstance(body, dict):
            raise errors.InvalidPayload()
        if not identity.is_admin and user_id != identity.user_id:
            # Deviation 15: a non-admin never sets the 2FA secret of another user.
            raise errors.WriteFieldDenied("Writing 2fa_secret of other users is denied")
        info = self.collection()
        self.only_own_row(str(user_id))
        items = self.service()
        with items.atomic():
            current = items.current(info, user_id)
            if current is None:
                raise errors.ItemNotFound(f'Item with id "{ids}" not found')
            secret = services.verify_new_otp(require_project(), user_id, body.get("2fa_secret"), body.get("otp"))
            # The normal update rules for the row; the secret itself is this route's business,
            # which the server writes past the rule that no caller writes a 2FA secret.
            items.guard.check_update(info, current, {}, soft_delete=False)
            items.as_server().update(info, [user_id], {"2fa_secret": secret})
            return self.respond_items(items.read(info, [user_id], self.query, many=False))


class UserRevisionsView(UsersBaseView):
    def get(self, request, ids: str, offset: str | None = None):
        if request.user.is_public:
            raise errors.Unauthorized()
        user_id = services.resolve_id(request.user, ids)
        self.only_own_row(str(user_id))
        return self.revisions_response(self.collection(), str(user_id), offset)
