using Orleans.Concurrency;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>An envelope frame on its way to a device, serialized once by the node that stored it.</summary>
[GenerateSerializer, Immutable]
public sealed record PushedEnvelope([property: Id(0)] long Id, [property: Id(1)] byte[] Frame);

/// <summary>
/// One per device, keyed "&lt;accountId&gt;.&lt;deviceId&gt;". Knows which node holds the device's
/// WebSocket and forwards pushes there. It holds no data: losing it only means "offline" until
/// the device reconnects, because every envelope is already in the database.
/// </summary>
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>The device connected on the node behind <paramref name="node"/>; any older connection is closed.</summary>
    Task Connect(INodeObserver node, Guid connectionId);

    Task Disconnect(Guid connectionId);

    [OneWay]
    Task Push(PushedEnvelope envelope);

    /// <summary>Closes the device's connection wherever it is (the device was removed or replaced).</summary>
    Task Kick(string reason);

    /// <summary>An ephemeral frame (presence, typing): delivered if the device is online, otherwise dropped.</summary>
    [OneWay]
    Task PushEphemeral(byte[] frame);
}

/// <summary>One per node: receives pushes and close requests for the connections the node holds.</summary>
public interface INodeObserver : IGrainObserver
{
    [OneWay]
    Task Deliver(DeviceAddress device, Guid connectionId, PushedEnvelope envelope);

    [OneWay]
    Task Close(DeviceAddress device, Guid connectionId, string reason);

    [OneWay]
    Task PushEphemeral(DeviceAddress device, byte[] frame);
}

public sealed class DeviceGrain : Grain, IDeviceGrain
{
    private INodeObserver? _node;
    private Guid _connectionId;

    private DeviceAddress Address
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var dot = key.LastIndexOf('.');
            return new DeviceAddress(key[..dot], int.Parse(key[(dot + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static string KeyOf(DeviceAddress device) => device.ToString();

    public Task Connect(INodeObserver node, Guid connectionId)
    {
        if (_node is not null && _connectionId != connectionId)
        {
            _node.Close(Address, _connectionId, "connected elsewhere");
        }
        _node = node;
        _connectionId = connectionId;
        // Stay active while connected: this activation is the only record of where the socket is.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task Disconnect(Guid connectionId)
    {
        if (_connectionId == connectionId)
        {
            _node = null;
            _connectionId = Guid.Empty;
            DelayDeactivation(TimeSpan.Zero);
        }
        return Task.CompletedTask;
    }

    public Task Push(PushedEnvelope envelope)
    {
        _node?.Deliver(Address, _connectionId, envelope);
        return Task.CompletedTask;
    }

    public Task PushEphemeral(byte[] frame)
    {
        _node?.PushEphemeral(Address, frame);
        return Task.CompletedTask;
    }

    public Task Kick(string reason)
    {
        _node?.Close(Address, _connectionId, reason);
        _node = null;
        _connectionId = Guid.Empty;
        return Task.CompletedTask;
    }
}
