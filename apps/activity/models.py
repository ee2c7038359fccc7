from django.db import models


class Action(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SOFT_DELETE = "soft-delete"
    REVERT = "revert"
    COMMENT = "comment"
    UPLOAD = "upload"
    AUTHENTICATE = "authenticate"
    INVALID_CREDENTIALS = "invalid-credentials"
    STATUS_UPDATE = "status-update"


class Activity(models.Model):
    action = models.CharField(max_length=45)
    action_by = models.IntegerField(default=0)  # 0 = the public role
    action_on = models.DateTimeField()
    ip = models.CharField(max_length=50)
    user_agent = models.CharField(max_length=255)
    collection = models.CharField(max_length=64)
    item = models.CharField(max_length=255)
    edited_on = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(null=True, blank=True)
    comment_deleted_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "directus_activity"
