using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Connections;
using Parley.Server.Hosting;
using Parley.Server.Keys;

namespace Parley.Server.Devices;

/// <summary>An account's devices: list them, unlink one, and serve the signed list contacts verify.</summary>
public static class DeviceEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/devices").WithTags("Devices").RequireAuthorization();
        group.MapGet("/", ListAsync).WithSummary("This account's devices, its signed list's version and the next device id.");
        group.MapPost("/{deviceId:int}/unlink", UnlinkAsync)
            .WithSummary("Primary: remove a linked device with the signed list without it; the device is logged out at once.");
        group.MapGet("/{accountId}/list", GetSignedListAsync).RequireRateLimiting(KeysEndpoints.FetchPolicy)
            .WithSummary("The account's device list as its primary signed it; clients verify it before trusting a linked device.");
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, AccountStore accounts, DeviceListStore lists, CancellationToken cancellationToken)
    {
        var accountId = user.Device().AccountId;
        var devices = await accounts.GetDevicesAsync(accountId, null, cancellationToken);
        var stored = await lists.FindAsync(accountId, cancellationToken);
        return Results.Ok(new DeviceListResponse(
            devices.Select(d => new DeviceDto(d.DeviceId, d.Name, d.IdentityKey, d.RegistrationId, d.CreatedAt)).ToList(),
            stored?.Version ?? 0, DeviceListStore.NextDeviceId(stored, devices)));
    }

    private static async Task<IResult> UnlinkAsync(int deviceId, UnlinkDeviceRequest request, ClaimsPrincipal user, AccountStore accounts,
        DeviceListStore lists, DeviceDirectory directory, DeviceDisconnector disconnector, ILogger<UnlinkDeviceRequest> log,
        CancellationToken cancellationToken)
    {
        var primary = user.Device();
        if (primary.DeviceId != AccountEndpoints.PrimaryDeviceId)
        {
            return DeviceLinkEndpoints.NotPrimary();
        }
        if (deviceId == AccountEndpoints.PrimaryDeviceId)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "The primary device cannot be unlinked; register the number again to replace it.");
        }
        var devices = await accounts.GetDevicesAsync(primary.AccountId, null, cancellationToken);
        if (devices.All(d => d.DeviceId != deviceId))
        {
            return ApiProblem.NotFound(ErrorCodes.UnknownDevice, $"This account has no device {deviceId}.");
        }
        var stored = await lists.FindAsync(primary.AccountId, cancellationToken);
        var primaryKey = devices.Single(d => d.DeviceId == AccountEndpoints.PrimaryDeviceId).IdentityKey;
        var remaining = devices.Where(d => d.DeviceId != deviceId).Select(d => (d.DeviceId, d.IdentityKey)).ToList();
        var currentVersion = stored?.Version ?? 0;
        if (DeviceListVerifier.Check(request.DeviceList, primary.AccountId, primaryKey, currentVersion, remaining, out var list) is { } problem)
        {
            return ApiProblem.BadRequest(DeviceErrorCodes.InvalidDeviceList, problem);
        }
        var next = new StoredDeviceList((long)list!.Version, request.DeviceList.List, request.DeviceList.Signature, primaryKey,
            DeviceListStore.NextDeviceId(stored, devices));
        var unlinked = new DeviceAddress(primary.AccountId, deviceId);
        if (!await lists.UnlinkAsync(unlinked, currentVersion, next, cancellationToken))
        {
            return DeviceLinkEndpoints.DeviceListConflict("The device list changed meanwhile; reload it and unlink again.");
        }
        directory.Invalidate(primary.AccountId);
        // Its credential is gone from the database already; this closes a WebSocket that is still open (close code 4002).
        await disconnector.DisconnectAsync([unlinked], "unlinked");
        log.LogInformation("Device {DeviceId} unlinked from account {AccountId}", deviceId, primary.AccountId);
        return Results.NoContent();
    }

    private static async Task<IResult> GetSignedListAsync(string accountId, AccountStore accounts, DeviceListStore lists, CancellationToken cancellationToken)
    {
        var primary = (await accounts.GetDevicesAsync(accountId, AccountEndpoints.PrimaryDeviceId, cancellationToken)).SingleOrDefault();
        if (primary is null)
        {
            return ApiProblem.NotFound(ErrorCodes.UnknownAccount, "No such account.");
        }
        var stored = await lists.FindAsync(accountId, cancellationToken);
        // A list signed by a previous registration's primary describes devices that no longer exist.
        if (stored is null || !stored.SignerKey.AsSpan().SequenceEqual(primary.IdentityKey))
        {
            return ApiProblem.NotFound(DeviceErrorCodes.NoDeviceList, "This account has no linked devices (no signed device list).");
        }
        return Results.Ok(new SignedDeviceListDto(stored.List, stored.Signature));
    }
}
