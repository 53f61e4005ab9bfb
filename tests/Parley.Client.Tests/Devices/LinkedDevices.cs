using Parley.Client.Devices;
using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Devices;

/// <summary>A server whose per-IP link limits do not get in the way of tests that link many devices from 127.0.0.1.</summary>
public sealed class LinkingServerFixture : IAsyncLifetime
{
    public ParleyServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ParleyServer.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
    {
        ["Parley:Devices:LinkAttemptsPerIpPerMinute"] = "100000",
        ["Parley:Devices:LinkCodesPerAccountPerHour"] = "100000",
    });

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>Linking through the SDK on both sides, as a phone and a laptop would.</summary>
public static class LinkedDevices
{
    /// <summary>
    /// Links a new device to <paramref name="primary"/>'s account: the primary shows a code (QR URI), the new device
    /// presents it, the primary checks the fingerprint and approves (sending history), the new device opens and catches up.
    /// </summary>
    public static async Task<TestDevice> LinkAsync(TestDevice primary, string name = "laptop")
    {
        var code = await primary.Client.CreateLinkCodeAsync();
        var store = new InMemoryClientStore();
        var link = await NewDeviceLink.PresentAsync(primary.Server.NewApi(), store, LinkPayload.Parse(code.LinkUri), name);
        var pending = Assert.Single(await primary.Client.ListPendingLinksAsync());
        Assert.Equal((name, link.Fingerprint), (pending.DeviceName, pending.Fingerprint));
        await primary.Client.ApproveLinkAsync(pending.LinkId).WaitAsync(TestDevice.Timeout);
        await link.WaitForApprovalAsync(primary.Options).WaitAsync(TestDevice.Timeout);
        var device = await TestDevice.OpenExistingAsync(primary.Server, primary.Number, store, primary.Options);
        await device.Client.WaitUntilCaughtUpAsync().WaitAsync(TestDevice.Timeout);
        return device;
    }
}
