using System.Collections.Concurrent;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>
/// The WebSocket connections held by this node, and this node's single grain observer through
/// which the connection directory reaches them.
/// </summary>
public sealed class ConnectionRegistry(IGrainFactory grains) : INodeObserver
{
    private readonly ConcurrentDictionary<DeviceAddress, DeviceConnection> _connections = new();
    private INodeObserver? _self;

    public int Count => _connections.Count;

    /// <summary>The grain reference other nodes use to reach this node.</summary>
    public INodeObserver Reference => _self ??= grains.CreateObjectReference<INodeObserver>(this);

    public bool TryGet(DeviceAddress device, out DeviceConnection connection) => _connections.TryGetValue(device, out connection!);

    /// <summary>Registers a connection and returns the one it replaces on this node, if any.</summary>
    public DeviceConnection? Register(DeviceConnection connection)
    {
        DeviceConnection? previous = null;
        _connections.AddOrUpdate(connection.Device, connection, (_, old) =>
        {
            previous = old;
            return connection;
        });
        return previous;
    }

    public void Unregister(DeviceConnection connection) =>
        _connections.TryRemove(new KeyValuePair<DeviceAddress, DeviceConnection>(connection.Device, connection));

    public IEnumerable<DeviceConnection> ForAccount(string accountId) =>
        _connections.Where(pair => pair.Key.AccountId == accountId).Select(pair => pair.Value);

    /// <summary>Asks every connection of this node to close, e.g. with 1001 when the server shuts down.</summary>
    public void CloseAll(System.Net.WebSockets.WebSocketCloseStatus status, string reason)
    {
        foreach (var connection in _connections.Values)
        {
            connection.Close(status, reason);
        }
    }

    /// <summary>A keep-alive tick for the connections in <paramref name="slot"/> (see <see cref="KeepAliveSweep"/>).</summary>
    public void KeepAlive(int slot, TimeSpan timeout)
    {
        // Enumerating the dictionary itself takes no locks and copies nothing (Values would do both).
        foreach (var (_, connection) in _connections)
        {
            if (connection.KeepAliveSlot == slot)
            {
                connection.KeepAlive(timeout);
            }
        }
    }

    public Task Deliver(DeviceAddress device, Guid connectionId, PushedEnvelope envelope)
    {
        if (_connections.TryGetValue(device, out var connection) && connection.Id == connectionId)
        {
            connection.PushLive(envelope.Id, envelope.Frame);
        }
        return Task.CompletedTask;
    }

    public Task PushEphemeral(DeviceAddress device, byte[] frame)
    {
        if (_connections.TryGetValue(device, out var connection))
        {
            connection.PushEphemeral(frame);
        }
        return Task.CompletedTask;
    }

    public Task Close(DeviceAddress device, Guid connectionId, string reason)
    {
        if (_connections.TryGetValue(device, out var connection) && connection.Id == connectionId)
        {
            connection.Close(reason);
        }
        return Task.CompletedTask;
    }
}
