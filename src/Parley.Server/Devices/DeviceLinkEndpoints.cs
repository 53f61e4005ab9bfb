using System.Security.Claims;
using Microsoft.Extensions.Options;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;
using Parley.Server.Keys;

namespace Parley.Server.Devices;

/// <summary>
/// Linking a new device: the primary creates a code, the new device presents it with its public
/// keys, the primary approves it (signing the new device list), the new device learns its id.
/// </summary>
public static class DeviceLinkEndpoints
{
    public const string CreateCodePolicy = "link-code-create";
    public const string PresentPolicy = "link-present";
    public const string PollPolicy = "link-poll";

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/devices").WithTags("Devices");
        group.MapPost("/link-codes", CreateCodeAsync).RequireAuthorization().RequireRateLimiting(CreateCodePolicy)
            .WithSummary("Primary: create a single-use link code (and QR payload) for a new device.");
        group.MapPost("/link", PresentAsync).RequireRateLimiting(PresentPolicy)
            .WithSummary("New device: present a link code with this device's public keys; wait for the primary's approval.");
        group.MapGet("/link/{linkId}", StatusAsync).RequireRateLimiting(PollPolicy)
            .WithSummary("New device: the status of its link (pending, approved with its device id, rejected, expired).");
        group.MapGet("/link-requests", ListRequestsAsync).RequireAuthorization()
            .WithSummary("Primary: new devices waiting for approval, with name and identity key.");
        group.MapPost("/link-requests/{linkId}/approve", ApproveAsync).RequireAuthorization()
            .WithSummary("Primary: approve a new device with the signed device list that includes it.");
        group.MapPost("/link-requests/{linkId}/reject", RejectAsync).RequireAuthorization()
            .WithSummary("Primary: refuse a new device.");
    }

    internal static IResult NotPrimary() => ApiProblem.Create(StatusCodes.Status403Forbidden, DeviceErrorCodes.NotPrimary,
        "Only the primary device (device 1) manages linked devices.");

    internal static IResult TooManyDevices(int max) => ApiProblem.Create(StatusCodes.Status409Conflict, DeviceErrorCodes.TooManyDevices,
        $"This account already has {max} linked devices, the most allowed; unlink one on the primary first.");

    private static async Task<IResult> CreateCodeAsync(HttpContext http, ClaimsPrincipal user, AccountStore accounts, LinkStore links,
        IOptions<DeviceLinkingOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var device = user.Device();
        if (device.DeviceId != AccountEndpoints.PrimaryDeviceId)
        {
            return NotPrimary();
        }
        var devices = await accounts.GetDevicesAsync(device.AccountId, null, cancellationToken);
        if (devices.Count - 1 >= options.Value.MaxLinkedDevices)
        {
            return TooManyDevices(options.Value.MaxLinkedDevices);
        }
        var code = LinkCodes.NewCode();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var expiresAt = now + (long)options.Value.LinkCodeLifetime.TotalMilliseconds;
        await links.CreateCodeAsync(device.AccountId, LinkCodes.Hash(code)!, now, expiresAt, cancellationToken);
        var server = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        var identity = Convert.ToBase64String(devices.Single(d => d.DeviceId == AccountEndpoints.PrimaryDeviceId).IdentityKey)
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var uri = $"parley://link?server={Uri.EscapeDataString(server)}&code={code}&identity={identity}";
        return Results.Ok(new LinkCodeResponse(code, uri, expiresAt));
    }

    private static async Task<IResult> PresentAsync(LinkDeviceRequest request, AccountStore accounts, LinkStore links,
        IOptions<DeviceLinkingOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var hash = LinkCodes.Hash(request.Code);
        var link = hash is null ? null : await links.FindByCodeAsync(hash, cancellationToken);
        if (link is null)
        {
            return ApiProblem.NotFound(DeviceErrorCodes.InvalidLinkCode, "No such link code; check it, or create a new one on the primary.");
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (link.ExpiresAt <= now)
        {
            return ApiProblem.Create(StatusCodes.Status410Gone, DeviceErrorCodes.LinkCodeExpired, "This link code expired; create a new one on the primary.");
        }
        if (link.State != LinkState.CodeIssued)
        {
            return LinkCodeUsed();
        }
        if (request.RegistrationId is < 1 or > 16380)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "The registration id must be between 1 and 16380.");
        }
        var problem = KeyFormats.CheckCurveKey(request.IdentityKey, "Identity key")
            ?? KeyFormats.Check(request.SignedPreKey, "Signed prekey")
            ?? KeyFormats.Check(request.PqLastResortPreKey, "Last-resort Kyber prekey");
        if (problem is not null)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidKey, problem);
        }
        if (PreKeySignatures.Check(request.IdentityKey, request.SignedPreKey, [], request.PqLastResortPreKey) is { } signatureProblem)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidSignature, signatureProblem);
        }
        if ((await accounts.GetDeviceRegistrationsAsync(link.AccountId, cancellationToken)).Count - 1 >= options.Value.MaxLinkedDevices)
        {
            return TooManyDevices(options.Value.MaxLinkedDevices);
        }
        var password = DeviceCredentials.NewPassword();
        if (!await links.PresentAsync(link.Id, request, DeviceCredentials.Hash(password), now, cancellationToken))
        {
            return LinkCodeUsed();
        }
        return Results.Ok(new LinkDeviceResponse(link.Id, password, link.ExpiresAt));
    }

    private static IResult LinkCodeUsed() => ApiProblem.Create(StatusCodes.Status409Conflict, DeviceErrorCodes.LinkCodeUsed,
        "This link code was already used; each code links one device. Create a new one on the primary.");

    private static async Task<IResult> StatusAsync(string linkId, LinkStore links, TimeProvider clock, CancellationToken cancellationToken)
    {
        var link = await links.FindAsync(linkId, cancellationToken);
        if (link is null || link.State == LinkState.CodeIssued)
        {
            return ApiProblem.NotFound(DeviceErrorCodes.InvalidLinkCode, "No such link; present a link code first.");
        }
        if (link.State == LinkState.Approved)
        {
            return Results.Ok(new LinkStatusResponse(LinkStatuses.Approved, link.AccountId, link.DeviceId,
                await links.FindNumberAsync(link.AccountId, cancellationToken)));
        }
        var status = link.State == LinkState.Rejected ? LinkStatuses.Rejected
            : link.ExpiresAt <= clock.GetUtcNow().ToUnixTimeMilliseconds() ? LinkStatuses.Expired
            : LinkStatuses.Pending;
        return Results.Ok(new LinkStatusResponse(status));
    }

    private static async Task<IResult> ListRequestsAsync(ClaimsPrincipal user, LinkStore links, TimeProvider clock, CancellationToken cancellationToken)
    {
        var device = user.Device();
        if (device.DeviceId != AccountEndpoints.PrimaryDeviceId)
        {
            return NotPrimary();
        }
        var pending = await links.ListPendingAsync(device.AccountId, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return Results.Ok(new LinkRequestListResponse(
            pending.Select(l => new LinkRequestDto(l.Id, l.Name, l.IdentityKey!, l.RegistrationId, l.CreatedAt, l.ExpiresAt)).ToList()));
    }

    private static async Task<IResult> ApproveAsync(string linkId, ApproveLinkRequest request, ClaimsPrincipal user, AccountStore accounts,
        LinkStore links, DeviceListStore lists, DeviceDirectory directory, IOptions<DeviceLinkingOptions> options,
        TimeProvider clock, ILogger<ApproveLinkRequest> log, CancellationToken cancellationToken)
    {
        var primary = user.Device();
        if (primary.DeviceId != AccountEndpoints.PrimaryDeviceId)
        {
            return NotPrimary();
        }
        var link = await links.FindAsync(linkId, cancellationToken);
        if (link is null || link.AccountId != primary.AccountId || link.State == LinkState.CodeIssued)
        {
            return ApiProblem.NotFound(DeviceErrorCodes.InvalidLinkCode, "No such link request; list the pending ones again.");
        }
        if (link.State != LinkState.Presented)
        {
            return LinkCodeUsed();
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (link.ExpiresAt <= now)
        {
            return ApiProblem.Create(StatusCodes.Status410Gone, DeviceErrorCodes.LinkCodeExpired, "This link request expired; start linking again.");
        }
        var devices = await accounts.GetDevicesAsync(primary.AccountId, null, cancellationToken);
        if (devices.Count - 1 >= options.Value.MaxLinkedDevices)
        {
            return TooManyDevices(options.Value.MaxLinkedDevices);
        }
        var stored = await lists.FindAsync(primary.AccountId, cancellationToken);
        var deviceId = DeviceListStore.NextDeviceId(stored, devices);
        if (request.DeviceId != deviceId)
        {
            return DeviceListConflict($"The new device gets id {deviceId}; sign a list with that id.");
        }
        var primaryKey = devices.Single(d => d.DeviceId == AccountEndpoints.PrimaryDeviceId).IdentityKey;
        var expected = devices.Select(d => (d.DeviceId, d.IdentityKey)).Append((deviceId, link.IdentityKey!)).ToList();
        var currentVersion = stored?.Version ?? 0;
        if (DeviceListVerifier.Check(request.DeviceList, primary.AccountId, primaryKey, currentVersion, expected, out var list) is { } problem)
        {
            return ApiProblem.BadRequest(DeviceErrorCodes.InvalidDeviceList, problem);
        }
        var next = new StoredDeviceList((long)list!.Version, request.DeviceList.List, request.DeviceList.Signature, primaryKey, deviceId + 1);
        if (!await lists.ApproveAsync(link, deviceId, currentVersion, next, now, cancellationToken))
        {
            return DeviceListConflict("The device list changed meanwhile; reload it and approve again.");
        }
        directory.Invalidate(primary.AccountId);
        log.LogInformation("Device {DeviceId} linked to account {AccountId}", deviceId, primary.AccountId);
        return Results.Ok(new DeviceDto(deviceId, link.Name, link.IdentityKey!, link.RegistrationId, now));
    }

    internal static IResult DeviceListConflict(string detail) =>
        ApiProblem.Create(StatusCodes.Status409Conflict, DeviceErrorCodes.DeviceListConflict, detail);

    private static async Task<IResult> RejectAsync(string linkId, ClaimsPrincipal user, LinkStore links, CancellationToken cancellationToken)
    {
        var primary = user.Device();
        if (primary.DeviceId != AccountEndpoints.PrimaryDeviceId)
        {
            return NotPrimary();
        }
        return await links.RejectAsync(linkId, primary.AccountId, cancellationToken)
            ? Results.NoContent()
            : ApiProblem.NotFound(DeviceErrorCodes.InvalidLinkCode, "No such pending link request.");
    }
}
