using Parley.Protocol.Wire;
using Parley.Server.Messages;
using Parley.Server.Presence;

namespace Parley.Server.Connections;

/// <summary>Presence: this device going online/offline, and the accounts it watches.</summary>
public sealed partial class DeviceConnection
{
    /// <summary>Most accounts one connection may watch (an open chat list, not the whole address book).</summary>
    private const int MaxPresenceSubscriptions = 256;

    private Task AnnounceOnlineAsync() => PresencePartitionGrain.For(_services.Grains, Device.AccountId).Connected(Device.AccountId, Id);

    /// <summary>Called when the connection ends: the account may go offline, and this connection stops watching.</summary>
    private async Task AnnounceOfflineAsync()
    {
        await PresencePartitionGrain.For(_services.Grains, Device.AccountId).Disconnected(Device.AccountId, Id);
        foreach (var account in _presenceSubscriptions ?? [])
        {
            await _services.Grains.GetGrain<IPresenceGrain>(account).Unsubscribe(Device);
        }
        _presenceSubscriptions = null;
    }

    private async Task<ServerFrame> SubscribePresenceAsync(SubscribePresence request)
    {
        var wanted = request.AccountIds.Distinct().ToList();
        if (wanted.Count > MaxPresenceSubscriptions || wanted.Any(id => !Guid.TryParse(id, out _)))
        {
            return Frames.Error(ErrorCode.MalformedFrame, $"Subscribe to at most {MaxPresenceSubscriptions} account ids (UUIDs).");
        }
        _presenceSubscriptions ??= [];
        foreach (var dropped in _presenceSubscriptions.Except(wanted).ToList())
        {
            await _services.Grains.GetGrain<IPresenceGrain>(dropped).Unsubscribe(Device);
            _presenceSubscriptions.Remove(dropped);
        }
        var snapshot = new PresenceSnapshot();
        foreach (var account in wanted)
        {
            var state = await _services.Grains.GetGrain<IPresenceGrain>(account).Subscribe(Device, _services.Registry.Reference);
            _presenceSubscriptions.Add(account);
            snapshot.Accounts.Add(PresenceGrain.ToWire(account, state));
        }
        return new ServerFrame { PresenceSnapshot = snapshot };
    }
}
