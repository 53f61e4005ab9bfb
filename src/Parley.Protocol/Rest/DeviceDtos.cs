namespace Parley.Protocol.Rest;

/// <summary>POST /v1/devices/link-codes (primary): a short-lived, single-use code for one new device.</summary>
/// <param name="Code">What the user types on the new device, e.g. "K7MZQ-4HX2D".</param>
/// <param name="LinkUri">The QR payload: parley://link?server=...&amp;code=...&amp;identity=... (identity = the primary's
/// identity key, base64url, so the new device can verify the account's signed device list).</param>
/// <param name="ExpiresAt">Unix ms.</param>
public sealed record LinkCodeResponse(string Code, string LinkUri, long ExpiresAt);

/// <summary>
/// POST /v1/devices/link (no credentials; the code is the authorization): a new device presents a
/// link code with its own public keys. Key fields use libsignal's serialized forms, as in
/// <see cref="CreateAccountRequest"/>.
/// </summary>
public sealed record LinkDeviceRequest(
    string Code,
    int RegistrationId,
    byte[] IdentityKey,
    SignedPreKeyDto SignedPreKey,
    KyberPreKeyDto PqLastResortPreKey,
    string? DeviceName = null);

/// <summary>
/// The presented link, waiting for the primary's approval. <see cref="Password"/> is this device's
/// credential once approved (shown once; the server keeps only its hash). <see cref="LinkId"/> is a
/// secret too: whoever holds it can poll the link's status.
/// </summary>
public sealed record LinkDeviceResponse(string LinkId, string Password, long ExpiresAt);

/// <summary>GET /v1/devices/link/{linkId}: <see cref="Status"/> is one of <see cref="LinkStatuses"/>; the rest is set once approved.</summary>
public sealed record LinkStatusResponse(string Status, string? AccountId = null, int? DeviceId = null, string? Number = null);

public static class LinkStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Expired = "expired";
}

/// <summary>A new device waiting for approval, as the primary shows it (name and identity fingerprint).</summary>
public sealed record LinkRequestDto(string LinkId, string? DeviceName, byte[] IdentityKey, int RegistrationId, long CreatedAt, long ExpiresAt);

/// <summary>GET /v1/devices/link-requests (primary).</summary>
public sealed record LinkRequestListResponse(IReadOnlyList<LinkRequestDto> Requests);

/// <summary>
/// A <c>parley.devices.v1.DeviceList</c> (devices.proto) as serialized and signed by the primary's
/// identity key; verifiers check <see cref="Signature"/> over exactly <see cref="List"/>.
/// </summary>
public sealed record SignedDeviceListDto(byte[] List, byte[] Signature);

/// <summary>
/// POST /v1/devices/link-requests/{linkId}/approve (primary): the new device gets
/// <see cref="DeviceId"/> (the account's NextDeviceId) and the account the signed list that includes it.
/// </summary>
public sealed record ApproveLinkRequest(int DeviceId, SignedDeviceListDto DeviceList);

/// <summary>POST /v1/devices/{deviceId}/unlink (primary): the signed list without that device.</summary>
public sealed record UnlinkDeviceRequest(SignedDeviceListDto DeviceList);

public sealed record DeviceDto(int DeviceId, string? Name, byte[] IdentityKey, int RegistrationId, long CreatedAt);

/// <summary>
/// GET /v1/devices: this account's devices, the version of its current signed list (0 = none yet)
/// and the id the next linked device will get (ids are never reused, so contacts never mistake a new
/// device for an old one).
/// </summary>
public sealed record DeviceListResponse(IReadOnlyList<DeviceDto> Devices, long DeviceListVersion, int NextDeviceId);

/// <summary>Error codes of the linked-devices endpoints (kept apart from <see cref="ErrorCodes"/>, same conventions).</summary>
public static class DeviceErrorCodes
{
    public const string InvalidLinkCode = "invalid_link_code";
    public const string LinkCodeExpired = "link_code_expired";
    public const string LinkCodeUsed = "link_code_used";
    public const string TooManyDevices = "too_many_devices";
    public const string NotPrimary = "not_primary";
    public const string InvalidDeviceList = "invalid_device_list";
    public const string DeviceListConflict = "device_list_conflict";
    public const string NoDeviceList = "no_device_list";
}

/// <summary>What exactly a device list signature covers: a domain-separation prefix, then the serialized list.</summary>
public static class DeviceListFormat
{
    private static readonly byte[] SignaturePrefix = "Parley device list v1\0"u8.ToArray();

    public static byte[] SignedBytes(ReadOnlySpan<byte> list) => [.. SignaturePrefix, .. list];
}
