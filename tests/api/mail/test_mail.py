"""POST /:project/mail (mail.md), delivered to a real SMTP server on loopback (aiosmtpd)."""

import pytest

from apps.users.models import User, UserStatus
from tests.helpers import assert_error

from .conftest import free_port

pytestmark = pytest.mark.engines("sqlite", "postgres")


def parts(message) -> dict:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_html_mail_with_data(admin_api, url, smtp):
    response = admin_api.post(
        url("mail"),
        {
            "to": ["alice@example.com", {"email": "bob@example.com", "name": "Bob Builder"}],
            "subject": "New features",
            "body": "<p>Hello <b>{{ name }}</b>, see {{ link.url }}{{ missing }}</p>",
            "data": {"name": "<Alice & co>", "link": {"url": "https://example.com/x"}},
        },
        format="json",
    )
    assert response.status_code == 204, response.content
    assert response.content == b""
    (sent,) = smtp()
    assert sent["from"] == "admin@example.com"
    assert sorted(sent["to"]) == ["alice@example.com", "bob@example.com"]
    message = sent["message"]
    assert message["Subject"] == "New features"
    assert message["From"] == "Admin User <admin@example.com>"
    assert "Bob Builder <bob@example.com>" in message["To"]
    html = parts(message)["text/html"]
    assert "<p>Hello <b>&lt;Alice &amp; co&gt;</b>, see https://example.com/x</p>" in html
    assert "Hello <Alice & co>, see https://example.com/x" in parts(message)["text/plain"]


def test_plain_mail_uses_the_plain_layout(admin_api, url, smtp):
    response = admin_api.post(
        url("mail"),
        {"to": "alice@example.com", "type": "plain", "body": "Hi {{ name }} <3", "data": {"name": "A & B"}},
        format="json",
    )
    assert response.status_code == 204, response.content
    message = smtp()[0]["message"]
    assert message.get_content_type() == "text/plain"
    assert message.get_content().startswith("Hi A & B <3")


def test_template_tags_in_the_body_stay_text(admin_api, url, smtp):
    body = "{% debug %}{% include 'mail/invitation.txt' %} {{ name|upper }}"
    response = admin_api.post(url("mail"), {"to": "a@example.com", "type": "plain", "body": body}, format="json")
    assert response.status_code == 204
    assert (
        smtp()[0]["message"].get_content().startswith("{% debug %}{% include 'mail/invitation.txt' %} {{ name|upper }}")
    )


def test_to_user_ids_uses_their_names(admin_api, url, smtp):
    user = User.objects.create(email="carol@example.com", first_name="Carol", last_name="Smith", status="active")
    response = admin_api.post(url("mail"), {"to": [user.pk, 1], "body": "x"}, format="json")
    assert response.status_code == 204, response.content
    recipients = smtp()[0]["message"]["To"]
    assert "Carol Smith <carol@example.com>" in recipients
    assert "Admin User <admin@example.com>" in recipients


def test_inactive_or_unknown_user_is_422_code_12(admin_api, url, smtp):
    user = User.objects.create(email="dave@example.com", status=UserStatus.SUSPENDED)
    message = assert_error(admin_api.post(url("mail"), {"to": [user.pk], "body": "x"}, format="json"), 422, 12)
    assert message == "Unable to find some users"
    assert_error(admin_api.post(url("mail"), {"to": 987654, "body": "x"}, format="json"), 422, 12)
    assert smtp() == []


def test_address_object_needs_email_and_name(admin_api, url, smtp):
    assert_error(admin_api.post(url("mail"), {"to": {"email": "a@example.com"}, "body": "x"}, format="json"), 422, 12)
    assert_error(admin_api.post(url("mail"), {"to": [{"name": "A"}], "body": "x"}, format="json"), 422, 12)
    assert smtp() == []


@pytest.mark.parametrize(
    "to",
    ["not-an-address", "a@", ["ok@example.com", "bad address@example.com"], "", [], None, True, "x@y.z\nBcc: e@f.g"],
)
def test_invalid_addresses_are_422_code_4(admin_api, url, smtp, to):
    assert_error(admin_api.post(url("mail"), {"to": to, "body": "x"}, format="json"), 422, 4)
    assert smtp() == []


def test_body_is_required(admin_api, url, smtp):
    assert_error(admin_api.post(url("mail"), {"to": "a@example.com"}, format="json"), 422, 4)
    assert_error(
        admin_api.post(url("mail"), {"to": "a@example.com", "body": "x", "subject": "a\r\nBcc: x"}, format="json"),
        422,
        4,
    )
    assert_error(admin_api.post(url("mail"), {"to": "a@example.com", "body": "x", "data": [1]}, format="json"), 422, 4)
    assert smtp() == []


def test_empty_payload_is_400_code_13(admin_api, url, smtp):
    assert_error(admin_api.post(url("mail"), {}, format="json"), 400, 13)


def test_public_is_401_code_108(api, url, smtp):
    assert_error(api.post(url("mail"), {"to": "a@example.com", "body": "x"}, format="json"), 401, 108)
    assert smtp() == []


def test_other_roles_may_not_send_mail(editor_api, url, smtp):
    response = editor_api.post(url("mail"), {"to": "a@example.com", "body": "x"}, format="json")
    assert_error(response, 401, 3)
    assert smtp() == []


def test_admin_may_use_the_default_sender(admin_api, url, smtp):
    response = admin_api.post(
        url("mail"), {"to": "a@example.com", "body": "x", "use_default_email": True}, format="json"
    )
    assert response.status_code == 204, response.content
    assert smtp()[0]["message"]["From"] == "Directus <noreply@example.com>"


def test_a_mail_server_that_is_down_fails_nothing(admin_api, url, smtp, settings):
    """Deviation 16: the message is queued, the answer is 204; the delivery worker tries again
    until the server is back."""
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    response = admin_api.post(url("mail"), {"to": "a@example.com", "body": "x"}, format="json")
    assert response.status_code == 204, response.content
    assert smtp() == []
    settings.EMAIL_PORT = port
    (sent,) = smtp()
    assert sent["to"] == ["a@example.com"]
