import uuid

from django.db import models

from apps.core.fields import JSONTextField


def new_external_id() -> str:
    return str(uuid.uuid4())


class UserStatus(models.TextChoices):
    DRAFT = "draft"
    INVITED = "invited"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"


class User(models.Model):
    """A row of directus_users. Not Django's auth user: API users live in project databases."""

    status = models.CharField(max_length=16, default=UserStatus.DRAFT)
    role = models.IntegerField(null=True, blank=True)
    first_name = models.CharField(max_length=50, null=True, blank=True)
    last_name = models.CharField(max_length=50, null=True, blank=True)
    email = models.CharField(max_length=128, unique=True)
    password = models.CharField(max_length=255, null=True, blank=True)
    token = models.CharField(max_length=255, null=True, blank=True, unique=True)
    timezone = models.CharField(max_length=32, default="UTC")
    locale = models.CharField(max_length=8, null=True, blank=True, default="en-US")
    locale_options = JSONTextField(null=True, blank=True)
    avatar = models.IntegerField(null=True, blank=True)
    company = models.CharField(max_length=191, null=True, blank=True)
    title = models.CharField(max_length=191, null=True, blank=True)
    email_notifications = models.BooleanField(default=True)
    last_access_on = models.DateTimeField(null=True, blank=True)
    last_page = models.CharField(max_length=192, null=True, blank=True)
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True, default=new_external_id)
    theme = models.CharField(max_length=100, null=True, blank=True, default="auto")
    two_factor_secret = models.CharField(max_length=100, null=True, blank=True, db_column="2fa_secret")
    password_reset_token = models.CharField(max_length=520, null=True, blank=True)

    class Meta:
        db_table = "directus_users"

    def __str__(self):
        return self.email

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE
