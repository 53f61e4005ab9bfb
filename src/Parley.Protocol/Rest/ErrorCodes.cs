namespace Parley.Protocol.Rest;

/// <summary>
/// Machine-readable error codes of the REST API. Every error answer is an RFC 7807 problem
/// document whose "code" member is one of these; "detail" says what to do about it.
/// </summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidNumber = "invalid_number";
    public const string SmsUnavailable = "sms_unavailable";
    public const string RateLimited = "rate_limited";
    public const string UnknownSession = "unknown_session";
    public const string IncorrectCode = "incorrect_code";
    public const string CodeExpired = "code_expired";
    public const string TooManyAttempts = "too_many_attempts";
    public const string SessionNotVerified = "session_not_verified";
    public const string InvalidKey = "invalid_key";
    public const string InvalidSignature = "invalid_signature";
    public const string UnknownAccount = "unknown_account";
    public const string UnknownDevice = "unknown_device";
    public const string TooManyKeys = "too_many_keys";
    public const string Unauthorized = "unauthorized";
    public const string NotAMember = "not_a_member";
    public const string Forbidden = "forbidden";
    public const string GroupFull = "group_full";
    public const string InvalidInvite = "invalid_invite";
    public const string GroupAddNotAllowed = "group_add_not_allowed";
    public const string InvalidImage = "invalid_image";
    public const string ContactQuotaExceeded = "contact_quota_exceeded";
    public const string RegistrationLockRequired = "registration_lock_required";
    public const string IncorrectPin = "incorrect_pin";
    public const string RegistrationLocked = "registration_locked";
    public const string InvalidPin = "invalid_pin";
}
