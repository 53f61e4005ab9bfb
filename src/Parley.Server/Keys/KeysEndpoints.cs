using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.Keys;

/// <summary>Prekey upload, status and bundle fetch: what PQXDH session setup needs.</summary>
public static class KeysEndpoints
{
    public const string FetchPolicy = "key-fetch";

    public static void MapKeysEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/keys").WithTags("Keys").RequireAuthorization();
        group.MapPut("/", SetKeysAsync).WithSummary("Upload one-time prekeys and/or replace the signed and last-resort keys.");
        group.MapGet("/status", StatusAsync).WithSummary("How many one-time keys are left (replenish when low).");
        group.MapGet("/{accountId}/{deviceId}", GetBundlesAsync).RequireRateLimiting(FetchPolicy)
            .WithSummary("Prekey bundles of one device, or of all devices with '*'. Each one-time key is handed out once.");
    }

    private static async Task<IResult> SetKeysAsync(SetKeysRequest request, ClaimsPrincipal user, KeyStore keys,
        AccountStore accounts, CancellationToken cancellationToken)
    {
        var device = user.Device();
        var preKeys = request.PreKeys ?? [];
        var pqPreKeys = request.PqPreKeys ?? [];
        if (preKeys.Count > KeyFormats.MaxKeysPerUpload || pqPreKeys.Count > KeyFormats.MaxKeysPerUpload)
        {
            return ApiProblem.BadRequest(ErrorCodes.TooManyKeys, $"Upload at most {KeyFormats.MaxKeysPerUpload} keys of each kind at once.");
        }
        var identityKey = await accounts.FindIdentityKeyAsync(device, cancellationToken);
        if (identityKey is null)
        {
            return ApiProblem.NotFound(ErrorCodes.UnknownDevice, "This device is no longer registered.");
        }
        var problem = preKeys.Select(k => KeyFormats.CheckCurveKey(k.PublicKey, $"Prekey {k.KeyId}")).FirstOrDefault(p => p is not null)
            ?? pqPreKeys.Select(k => KeyFormats.Check(k, $"Kyber prekey {k.KeyId}")).FirstOrDefault(p => p is not null)
            ?? (request.SignedPreKey is null ? null : KeyFormats.Check(request.SignedPreKey, "Signed prekey"))
            ?? (request.PqLastResortPreKey is null ? null : KeyFormats.Check(request.PqLastResortPreKey, "Last-resort Kyber prekey"));
        if (problem is not null)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidKey, problem);
        }
        var signatureProblem = PreKeySignatures.Check(identityKey, request.SignedPreKey, pqPreKeys, request.PqLastResortPreKey);
        if (signatureProblem is not null)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidSignature, signatureProblem);
        }
        var counts = await keys.CountAsync(device, cancellationToken);
        if (counts.Count + preKeys.Count > KeyFormats.MaxStoredKeysPerDevice || counts.PqCount + pqPreKeys.Count > KeyFormats.MaxStoredKeysPerDevice)
        {
            return ApiProblem.BadRequest(ErrorCodes.TooManyKeys, $"A device may store at most {KeyFormats.MaxStoredKeysPerDevice} one-time keys of each kind.");
        }
        if (preKeys.Count > 0)
        {
            await keys.AddPreKeysAsync(device, preKeys, cancellationToken);
        }
        if (pqPreKeys.Count > 0)
        {
            await keys.AddKyberPreKeysAsync(device, pqPreKeys, lastResort: false, cancellationToken);
        }
        if (request.PqLastResortPreKey is not null)
        {
            await keys.AddKyberPreKeysAsync(device, [request.PqLastResortPreKey], lastResort: true, cancellationToken);
        }
        if (request.SignedPreKey is { } spk)
        {
            await accounts.UpdateSignedPreKeyAsync(device, new SignedPreKey(spk.KeyId, spk.PublicKey, spk.Signature), cancellationToken);
        }
        return Results.NoContent();
    }

    private static async Task<IResult> StatusAsync(ClaimsPrincipal user, KeyStore keys, CancellationToken cancellationToken) =>
        Results.Ok(await keys.CountAsync(user.Device(), cancellationToken));

    private static async Task<IResult> GetBundlesAsync(string accountId, string deviceId, KeyStore keys, AccountStore accounts,
        CancellationToken cancellationToken)
    {
        int? onlyDevice = null;
        if (deviceId != "*")
        {
            if (!int.TryParse(deviceId, out var parsed) || parsed <= 0)
            {
                return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "The device id must be a positive number or '*'.");
            }
            onlyDevice = parsed;
        }
        var devices = await accounts.GetDevicesAsync(accountId, onlyDevice, cancellationToken);
        if (devices.Count == 0)
        {
            return onlyDevice is null || !await accounts.ExistsAsync(accountId, cancellationToken)
                ? ApiProblem.NotFound(ErrorCodes.UnknownAccount, "No such account.")
                : ApiProblem.NotFound(ErrorCodes.UnknownDevice, "The account has no such device.");
        }
        var bundles = new List<PreKeyBundleDto>(devices.Count);
        foreach (var device in devices)
        {
            var address = new DeviceAddress(accountId, device.DeviceId);
            var preKey = await keys.TakePreKeyAsync(address, cancellationToken);
            var pqPreKey = await keys.TakeKyberPreKeyAsync(address, cancellationToken);
            if (pqPreKey is null)
            {
                continue; // cannot happen for a registered device; skip rather than hand out a bundle PQXDH cannot use
            }
            var spk = device.SignedPreKey;
            bundles.Add(new PreKeyBundleDto(device.DeviceId, device.RegistrationId, device.IdentityKey,
                new SignedPreKeyDto(spk.KeyId, spk.PublicKey, spk.Signature), preKey, pqPreKey));
        }
        return Results.Ok(new PreKeyResponse(accountId, bundles));
    }
}
