using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>Logs devices out at once, on whichever node they are connected.</summary>
public sealed class DeviceDisconnector(ConnectionRegistry registry, IGrainFactory grains)
{
    public async Task DisconnectAsync(IEnumerable<DeviceAddress> devices, string reason)
    {
        foreach (var device in devices)
        {
            if (registry.TryGet(device, out var local))
            {
                local.Close(reason);
            }
            await ConnectionDirectoryGrain.For(grains, device).Kick(device, reason);
        }
    }
}
