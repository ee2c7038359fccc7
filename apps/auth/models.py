from django.db import models


class UserSession(models.Model):
    user = models.IntegerField(null=True, blank=True)
    token_type = models.CharField(max_length=255, null=True, blank=True)
    token = models.CharField(max_length=520, null=True, blank=True)
    ip_address = models.CharField(max_length=255, null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    created_on = models.DateTimeField(null=True, blank=True)
    token_expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "directus_user_sessions"


class CredentialCutoff(models.Model):
    """The last password change of a user. JWTs without a session have no row to delete, so
    those of this user issued before `not_before` are refused (apps.auth.credentials)."""

    user = models.IntegerField(unique=True)
    not_before = models.DateTimeField()

    class Meta:
        db_table = "django_directus_credential_cutoff"
