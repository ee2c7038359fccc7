"""POST /:project/mail (mail.md): an administrator sends a message (`204`).

Directus 8 let any signed-in user send mail to any address from the server; here only admins may
(an open relay otherwise), see docs/compatibility.md."""

from apps.core import errors
from apps.core.views import DirectusView
from apps.schema.project_settings import load_settings

from . import services


class MailView(DirectusView):
    def post(self, request):
        identity = request.user
        if identity.is_public:
            raise errors.UserNotAuthenticated()
        if not identity.is_admin:
            raise errors.Unauthorized("Permission denied: Admin Only")
        body = request.data
        if not body or not isinstance(body, dict):
            raise errors.InvalidPayload()
        to = services.recipients(body.get("to"))
        template = body.get("body")
        if not isinstance(template, str) or not template.strip():
            raise errors.InvalidRequest("body: This value should not be blank.")
        subject = body.get("subject") or ""
        if not isinstance(subject, str):
            raise errors.InvalidRequest("subject: This value should be of type string.")
        if "\n" in subject or "\r" in subject or len(subject) > services.SUBJECT_MAX:
            raise errors.InvalidRequest("subject: must be one line of text")
        data = body.get("data") or {}
        if not isinstance(data, dict):
            raise errors.InvalidRequest("data: This value should be of type object.")
        html_mail = body.get("type") != "plain"
        use_default = body.get("use_default_email") in (True, 1, "1", "true")
        if use_default and identity.is_admin:
            sender = services.default_sender()
        else:
            user = identity.user
            sender = services.formatted(user.email, services.full_name(user.first_name, user.last_name))
        services.send(
            sender=sender,
            to=to,
            subject=subject,
            body=services.render_body(template, data, escape=html_mail),
            html_mail=html_mail,
            project_name=load_settings().get("project_name"),
        )
        return self.respond(None)
