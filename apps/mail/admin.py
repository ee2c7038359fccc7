"""The mail queue's tables live in each project's database (apps.projects.routing), so
post_office's own admin pages, which have no project to read, are taken off the site. Operators
see each project's queue on the project's "Mail queue" page (apps.operations.admin_views)."""

from django.contrib import admin
from post_office.models import Attachment, Email, EmailTemplate, Log

for model in (Email, Log, Attachment, EmailTemplate):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
