namespace Parley.Protocol.Rest;

/// <summary>POST /v1/registration/sessions: start verifying a phone number (E.164, e.g. +4915112345678).</summary>
public sealed record CreateRegistrationSessionRequest(string Number);

/// <summary>The state of a registration session. Times are Unix milliseconds.</summary>
public sealed record RegistrationSessionResponse(string SessionId, bool Verified, long CodeExpiresAt, int RemainingAttempts);

/// <summary>PUT /v1/registration/sessions/{id}/verification: the 6-digit code the user received.</summary>
public sealed record VerifyCodeRequest(string Code);

/// <summary>
/// POST /v1/accounts: create (or re-register) the account of a verified number with its first device.
/// Key fields are libsignal's serialized forms (33-byte Curve25519 keys with the 0x05 prefix,
/// 1569-byte Kyber1024 keys with the 0x08 prefix), base64 in JSON. <see cref="RegistrationLock"/> is the
/// account's two-step PIN (or a current authenticator code) when re-registering a number that has one.
/// </summary>
public sealed record CreateAccountRequest(
    string SessionId,
    int RegistrationId,
    byte[] IdentityKey,
    SignedPreKeyDto SignedPreKey,
    KyberPreKeyDto PqLastResortPreKey,
    string? DeviceName = null,
    string? RegistrationLock = null);

/// <summary>The new account. <see cref="Password"/> is shown once; the server keeps only its hash.</summary>
public sealed record CreateAccountResponse(string AccountId, int DeviceId, string Password);

/// <summary>GET /v1/accounts/lookup/{number}.</summary>
public sealed record AccountLookupResponse(string AccountId);
