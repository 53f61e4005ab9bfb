using System.Globalization;
using Parley.Client.Api;
using Parley.Client.Devices;

namespace Parley.Cli;

/// <summary>Linked devices: linking this profile as a new device, and managing devices on the primary.</summary>
internal sealed partial class ProfileSession
{
    public async Task<int> LinkAsync(string server, string? code, string? name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _server = ParseServer(server);
        if (code is null)
        {
            await Console.Error.WriteAsync("On the primary device run `parley devices --new-code`, then enter the code (or the parley://link URI): ");
            code = await Console.In.ReadLineAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(code))
            {
                await Console.Error.WriteLineAsync();
                throw new CliException("no link code on stdin; run `parley devices --new-code` on the primary and pass it with --code <code>.");
            }
        }
        LinkPayload payload;
        try
        {
            payload = LinkPayload.Parse(code);
        }
        catch (FormatException error)
        {
            throw new CliException($"that is not a link code or parley://link URI ({error.Message}).");
        }
        var api = new ParleyApi(new HttpClient { BaseAddress = _server, Timeout = TimeSpan.FromSeconds(30) });
        var link = await NewDeviceLink.PresentAsync(api, store, payload, name, cancellationToken);
        // Printed before waiting, so the user can compare it with the primary's screen (and scripts can wait for it).
        await Console.Error.WriteLineAsync($"waiting for approval on the primary; this device's fingerprint: {link.Fingerprint}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        Client.Storage.LocalAccount account;
        try
        {
            account = await link.WaitForApprovalAsync(cancellationToken: limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"the primary did not approve this device within {timeout.TotalSeconds} s; run `parley devices --approve` on it, then link again.");
        }
        await Console.Out.WriteLineAsync($"linked {account.Number} (device {account.DeviceId}) on {account.Server}");
        return 0;
    }

    public async Task<int> DevicesAsync(bool newCode, bool approve, int? unlink, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(receive: false, cancellationToken);
        if (newCode)
        {
            var code = await client.CreateLinkCodeAsync(cancellationToken);
            var until = DateTimeOffset.FromUnixTimeMilliseconds(code.ExpiresAt).ToLocalTime().ToString("HH:mm", CultureInfo.InvariantCulture);
            await Console.Out.WriteLineAsync($"link code: {code.Code} (single use, valid until {until})");
            await Console.Out.WriteLineAsync(code.LinkUri);
            return 0;
        }
        if (approve)
        {
            var pending = await client.ListPendingLinksAsync(cancellationToken);
            if (pending.Count == 0)
            {
                throw new CliException("no device is waiting for approval; run `parley link --code <code>` on the new device first.");
            }
            foreach (var link in pending)
            {
                var deviceId = await client.ApproveLinkAsync(link.LinkId, cancellationToken);
                await Console.Out.WriteLineAsync($"approved device {deviceId} ({link.DeviceName ?? "unnamed"}, fingerprint {link.Fingerprint})");
            }
            return 0;
        }
        if (unlink is { } id)
        {
            await client.UnlinkDeviceAsync(id, cancellationToken);
            await Console.Out.WriteLineAsync($"unlinked device {id}");
            return 0;
        }
        foreach (var device in await client.ListDevicesAsync(cancellationToken))
        {
            var self = device.DeviceId == client.Account.DeviceId ? "\t(this device)" : "";
            await Console.Out.WriteLineAsync($"{device.DeviceId}\t{device.Name ?? "-"}\t{DeviceFingerprint.Of(device.IdentityKey)}{self}");
        }
        return 0;
    }
}
