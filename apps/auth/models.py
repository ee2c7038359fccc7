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
