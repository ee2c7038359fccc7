"""What the columns of `directus_users` are for, where it matters who reads or writes them
(users.md; deviation 15). Every rule about them (the access engine, the item reader, revisions,
webhooks, login answers) takes its set from here."""

# Credentials: never kept in revisions or activity, never sent to a webhook.
SECRET = frozenset({"password", "token", "2fa_secret", "password_reset_token"})

# Never sent to anyone, the user themself included (the password hash).
NEVER_SENT = frozenset({"password"})

# Read only on one's own row and by admins; non-admins never filter, sort or search by them.
# users.md names token, email_notifications, last_access_on and last_page; the 2FA secret and the
# reset token are credentials too.
PRIVATE = SECRET | {"email_notifications", "last_access_on", "last_page"}

# What the user themself (or an admin) reads of the private columns.
OWN_PRIVATE = PRIVATE - NEVER_SENT

# Written only by admins, on any row, one's own included (deviation 15).
PROTECTED = frozenset({"role", "status", "token", "password_reset_token", "2fa_secret", "external_id"})

# Left out of the user object a login answers with, as Directus 8 does.
LOGIN_OMITS = NEVER_SENT | {"token", "email_notifications", "last_access_on", "last_page"}
