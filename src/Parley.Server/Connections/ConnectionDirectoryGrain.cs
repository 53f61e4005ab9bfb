using Orleans.Concurrency;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>
/// Knows on which node each connected device's WebSocket is, for one partition of all devices, and
/// forwards pushes there. A partition rather than a grain per device: an activation costs a few KB,
/// a dictionary entry about a hundred bytes, and at tens of thousands of idle connections per node
/// that difference is most of the per-connection memory. It holds no data: losing it only means
/// "offline" until the devices reconnect, because every envelope is already in the database.
/// </summary>
public interface IConnectionDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The device connected on the node behind <paramref name="node"/>; any older connection is closed.</summary>
    Task Connect(DeviceAddress device, INodeObserver node, Guid connectionId);

    Task Disconnect(DeviceAddress device, Guid connectionId);

    [OneWay]
    Task Push(DeviceAddress device, PushedEnvelope envelope);

    /// <summary>Closes the device's connection wherever it is (the device was removed or replaced).</summary>
    Task Kick(DeviceAddress device, string reason);

    /// <summary>An ephemeral frame (presence, typing): delivered if the device is online, otherwise dropped.</summary>
    [OneWay]
    Task PushEphemeral(DeviceAddress device, byte[] frame);
}

public sealed class ConnectionDirectoryGrain : Grain, IConnectionDirectoryGrain
{
    /// <summary>Partitions of the device space: enough that one node's grain turns don't queue behind each other.</summary>
    public const int Partitions = 256;

    private readonly Dictionary<DeviceAddress, (INodeObserver Node, Guid ConnectionId)> _connected = [];

    /// <summary>The partition that knows <paramref name="device"/>: a hash that every node computes alike.</summary>
    public static IConnectionDirectoryGrain For(IGrainFactory grains, DeviceAddress device) =>
        grains.GetGrain<IConnectionDirectoryGrain>(PartitionHash.Of(device) % Partitions);

    public Task Connect(DeviceAddress device, INodeObserver node, Guid connectionId)
    {
        if (_connected.TryGetValue(device, out var previous) && previous.ConnectionId != connectionId)
        {
            previous.Node.Close(device, previous.ConnectionId, "connected elsewhere");
        }
        _connected[device] = (node, connectionId);
        // Stay active while anyone is connected: this activation is the only record of where they are.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task Disconnect(DeviceAddress device, Guid connectionId)
    {
        if (_connected.TryGetValue(device, out var current) && current.ConnectionId == connectionId)
        {
            Forget(device);
        }
        return Task.CompletedTask;
    }

    public Task Push(DeviceAddress device, PushedEnvelope envelope)
    {
        if (_connected.TryGetValue(device, out var current))
        {
            current.Node.Deliver(device, current.ConnectionId, envelope);
        }
        return Task.CompletedTask;
    }

    public Task PushEphemeral(DeviceAddress device, byte[] frame)
    {
        if (_connected.TryGetValue(device, out var current))
        {
            current.Node.PushEphemeral(device, frame);
        }
        return Task.CompletedTask;
    }

    public Task Kick(DeviceAddress device, string reason)
    {
        if (_connected.TryGetValue(device, out var current))
        {
            current.Node.Close(device, current.ConnectionId, reason);
            Forget(device);
        }
        return Task.CompletedTask;
    }

    private void Forget(DeviceAddress device)
    {
        _connected.Remove(device);
        if (_connected.Count == 0)
        {
            DelayDeactivation(TimeSpan.Zero);
        }
    }
}
