namespace Parley.Protocol.Rest;

/// <summary>Sets the caller's display name and about text (both shown to others per privacy settings).</summary>
public sealed record UpdateProfileRequest(string? Name, string? About);

/// <summary>
/// An account's profile as the caller may see it: <see cref="About"/> is null and
/// <see cref="HasPhoto"/> false when the owner's privacy settings hide them from the caller —
/// exactly as if they were not set. <see cref="Version"/> grows with every change.
/// </summary>
public sealed record ProfileResponse(string AccountId, string Name, string? About, bool HasPhoto, long Version);

/// <summary>Who may see something: "everyone", "contacts", "contacts_except" or "nobody".</summary>
public static class Audiences
{
    public const string Everyone = "everyone";
    public const string Contacts = "contacts";
    public const string ContactsExcept = "contacts_except";
    public const string Nobody = "nobody";
}

/// <summary>
/// The caller's privacy settings. Each audience is one of <see cref="Audiences"/>; the "except"
/// lists hold the phone numbers excluded when the audience is "contacts_except". Every member is
/// optional in a PUT: what is left out stays as it was.
/// </summary>
public sealed record PrivacySettingsDto(
    string? LastSeen = null,
    string? ProfilePhoto = null,
    string? About = null,
    string? Groups = null,
    bool? ReadReceipts = null,
    IReadOnlyList<string>? LastSeenExcept = null,
    IReadOnlyList<string>? ProfilePhotoExcept = null,
    IReadOnlyList<string>? AboutExcept = null,
    IReadOnlyList<string>? GroupsExcept = null);

/// <summary>The numbers this account blocked.</summary>
public sealed record BlockedListResponse(IReadOnlyList<BlockedContact> Blocked);

public sealed record BlockedContact(string Number, string AccountId, long BlockedAt);

/// <summary>The whole address book (E.164 numbers); the answer lists only those that are Parley users.</summary>
public sealed record SyncContactsRequest(IReadOnlyList<string>? Numbers);

public sealed record SyncContactsResponse(IReadOnlyList<RegisteredContact> Registered, int NewNumbersLeftToday);

public sealed record RegisteredContact(string Number, string AccountId);

/// <summary>Sets or changes the two-step verification PIN; changing needs <see cref="CurrentPin"/>.</summary>
public sealed record SetPinRequest(string? Pin, string? CurrentPin = null);

/// <summary>Removes two-step verification (PIN and authenticator); needs the current PIN.</summary>
public sealed record RemovePinRequest(string? CurrentPin);

/// <summary>The profile's version after a change.</summary>
public sealed record ProfileVersionResponse(long Version);

public sealed record TwoStepStatusResponse(bool PinEnabled, bool AuthenticatorEnabled);

/// <summary>Starts adding an authenticator app: needs the PIN; answer with a code from the app to finish.</summary>
public sealed record StartAuthenticatorRequest(string? CurrentPin);

/// <summary>The secret as an otpauth:// URI (show it as a QR code) and in base32 for manual entry.</summary>
public sealed record AuthenticatorSetupResponse(string OtpAuthUri, string Secret);

public sealed record ConfirmAuthenticatorRequest(string? Code);
