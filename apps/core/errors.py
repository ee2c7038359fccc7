"""Directus error codes. Each class carries its numeric code and HTTP status; the single
exception handler (apps.core.handlers) turns any of them into the wire error body.

Raise with a message to override the default text: ``raise ItemNotFound('Item with id "3" not found')``.
"""

from rest_framework import status
from rest_framework.exceptions import APIException


class DirectusError(APIException):
    code = 0
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = "Internal Server Error"
    # Extra response headers (e.g. Retry-After), set per class or per instance.
    headers: dict[str, str] = {}
    # Extra members of the error object beside `code` and `message` (the refused rows of an
    # import); most errors have none.
    details: dict = {}

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None):
        self.message = message or self.default_detail
        if headers is not None:
            self.headers = headers
        super().__init__(self.message)

    def __str__(self):
        return self.message


def _error(name: str, code: int, http_status: int, message: str) -> type[DirectusError]:
    return type(name, (DirectusError,), {"code": code, "status_code": http_status, "default_detail": message})


# General
InternalError = _error("InternalError", 0, 500, "Internal Server Error")
RouteNotFound = _error("RouteNotFound", 1, 404, "Not Found")
BadRequest = _error("BadRequest", 2, 400, "Bad Request")
Unauthorized = _error("Unauthorized", 3, 401, "Unauthorized request")
InvalidRequest = _error("InvalidRequest", 4, 422, "Invalid request")
MethodNotAllowed = _error("MethodNotAllowed", 6, 405, "Method Not Allowed")
TooManyRequests = _error("TooManyRequests", 7, 429, "Too Many Requests")
Forbidden = _error("Forbidden", 10, 403, "Forbidden")
DatabaseUnavailable = _error("DatabaseUnavailable", 11, 503, "Failed to connect to the database")
UnprocessableEntity = _error("UnprocessableEntity", 12, 422, "Unprocessable entity")
InvalidPayload = _error("InvalidPayload", 13, 400, "Invalid or Empty Payload")
NotInstalled = _error("NotInstalled", 14, 503, "API not installed")
BatchUploadNotAllowed = _error("BatchUploadNotAllowed", 15, 400, "Batch upload is not allowed")
ProjectExists = _error("ProjectExists", 18, 409, "Project already exists")
InvalidDatabaseConnection = _error("InvalidDatabaseConnection", 19, 400, "Invalid database connection")
IpNotAllowed = _error("IpNotAllowed", 19, 401, "You are not allowed to sign in from this location")
Maintenance = _error(
    "Maintenance", 21, 503, "This API instance is currently down for maintenance. Please try again later."
)
# Lock waits and deadlocks (deviation 13): the write was not applied and can be retried.
DatabaseBusy = _error("DatabaseBusy", 0, 503, "The database is busy. Please try again.")
# The file storage (S3 or another remote store) cannot be reached or failed on its side
# (deviation 18).
StorageUnavailable = _error("StorageUnavailable", 0, 503, "The file storage is unavailable. Please try again.")
# A statement ran over the time limit (deviation 17); its transaction was rolled back.
StatementTimeout = _error("StatementTimeout", 0, 503, "The query took too long and was stopped. Please try again.")
# The schema changed under a request that could not simply run again (apps.core.rerun).
SchemaChanged = _error("SchemaChanged", 0, 503, "The schema changed during the request. Please try again.")

# Authentication
InvalidCredentials = _error("InvalidCredentials", 100, 404, "Invalid user credentials")
InvalidToken = _error("InvalidToken", 101, 401, "Invalid Authentication Token")
ExpiredToken = _error("ExpiredToken", 102, 401, "Expired token")
UserInactive = _error("UserInactive", 103, 401, "User inactive")
UserSuspended = _error("UserSuspended", 103, 404, "User suspended")
InvalidResetPasswordToken = _error("InvalidResetPasswordToken", 104, 401, "Invalid Reset Password token")
ExpiredResetPasswordToken = _error("ExpiredResetPasswordToken", 105, 401, "Expired Reset Password token")
UserNotFound = _error("UserNotFound", 106, 404, "User not found")
UserWithEmailNotFound = _error("UserWithEmailNotFound", 107, 404, "User with provided email not found")
UserNotAuthenticated = _error("UserNotAuthenticated", 108, 401, "User not authenticated")
InvalidRequestToken = _error("InvalidRequestToken", 109, 401, "Invalid Request Token")
ExpiredRequestToken = _error("ExpiredRequestToken", 110, 401, "Expired Request Token")
MissingOtp = _error("MissingOtp", 111, 404, "User missing 2FA OTP")
InvalidOtp = _error("InvalidOtp", 112, 404, "Invalid user OTP")
TwoFactorNotActivated = _error("TwoFactorNotActivated", 113, 401, "2FA enforced but not activated for user")
InvalidLoginPayload = _error("InvalidLoginPayload", 114, 422, "Invalid login payload")
SsoNotAllowedWith2fa = _error("SsoNotAllowedWith2fa", 115, 401, "SSO not allowed with 2FA enabled")

# Items
CollectionNotFound = _error("CollectionNotFound", 200, 404, "Unable to find collection")
SystemCollectionAccess = _error(
    "SystemCollectionAccess", 201, 401, "Direct Access to System collections are not allowed"
)
FieldNotFound = _error("FieldNotFound", 202, 404, "Unable to find field")
InvalidField = _error("InvalidField", 202, 422, "Invalid field")
ItemNotFound = _error("ItemNotFound", 203, 404, "Item not found")
DuplicateKey = _error("DuplicateKey", 204, 409, "Duplicate key")
CollectionNotManaged = _error("CollectionNotManaged", 205, 404, "Collection not managed by Directus")
RevisionNotFound = _error("RevisionNotFound", 207, 404, "Revision not found")
RevisionInvalid = _error("RevisionInvalid", 208, 500, "Revision has invalid data")
CommentCreateDenied = _error("CommentCreateDenied", 210, 403, "Adding a comment was denied")
CommentUpdateDenied = _error("CommentUpdateDenied", 211, 403, "Updating a comment was denied")
CommentDeleteDenied = _error("CommentDeleteDenied", 212, 403, "Deleting a comment was denied")
ArrayValueNotAllowed = _error("ArrayValueNotAllowed", 213, 422, "Attempting to write an array as a value")
UnknownFilter = _error("UnknownFilter", 214, 422, "Unknown filter")
RelatedDataDenied = _error("RelatedDataDenied", 215, 403, "Unable to access related data")
LastAdmin = _error(
    "LastAdmin",
    216,
    403,
    "Cannot delete the last admin user. There should always be at least 1 active admin user",
)

# Collections and permissions
ReadDenied = _error("ReadDenied", 300, 403, "Reading items was denied")
CreateDenied = _error("CreateDenied", 301, 403, "Creating items was denied")
UpdateDenied = _error("UpdateDenied", 302, 403, "Updating items was denied")
DeleteDenied = _error("DeleteDenied", 303, 403, "Deleting items was denied")
ReadFieldDenied = _error("ReadFieldDenied", 304, 403, "Reading field was denied")
WriteFieldDenied = _error("WriteFieldDenied", 305, 403, "Writing field was denied")
AlterCollectionDenied = _error("AlterCollectionDenied", 306, 403, "Altering collection was denied")
CollectionExists = _error("CollectionExists", 307, 422, "Collection already exists")
FieldExists = _error("FieldExists", 308, 422, "Field already exists")
OwnerFieldMissing = _error("OwnerFieldMissing", 309, 403, "Unable to find items owned by user")

# Schema
UnknownType = _error("UnknownType", 401, 422, "Unknown type")
LengthRequired = _error("LengthRequired", 402, 422, "Field type requires a length")
LengthNotSupported = _error("LengthNotSupported", 403, 422, "Field type does not support a length")
FieldChangeFailed = _error("FieldChangeFailed", 404, 422, "Cannot change field")

# Mail
MailFailed = _error("MailFailed", 503, 500, "Mail sending failed")

# Files
FileSystemError = _error("FileSystemError", 600, 500, "Unknown filesystem error")
UploadTooLarge = _error("UploadTooLarge", 601, 413, "File exceeds the server's max upload size")
UploadTooLargeForForm = _error("UploadTooLargeForForm", 602, 413, "File exceeds the max size allowed")


class RowsRefused(DirectusError):
    """Some items of an import were refused, so none was written: each refused one by its
    position (1 is the first item) with the code and message its own write would have answered.

        {"error": {"code": 4, "message": "2 rows were refused",
                   "rows": [{"row": 3, "code": 4, "message": "title: This value should not be blank."}, ...]}}
    """

    code = 4
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, refusals: list[tuple[int, DirectusError]]):
        self.refusals = sorted(refusals, key=lambda refusal: refusal[0])
        count = len(self.refusals)
        super().__init__(f"{count} row was refused" if count == 1 else f"{count} rows were refused")
        self.details = {
            "rows": [{"row": row, "code": error.code, "message": error.message} for row, error in self.refusals]
        }


# Utils
HasherNotFound = _error("HasherNotFound", 1000, 422, "Hasher not found")
