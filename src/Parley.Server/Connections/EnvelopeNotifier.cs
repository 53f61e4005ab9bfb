using Parley.Server.Accounts;
using Parley.Server.Messages;

namespace Parley.Server.Connections;

/// <summary>
/// Pushes a freshly stored envelope towards its device: straight into the socket when the device is
/// connected to this node, otherwise through the connection directory to whichever node holds it.
/// Fire-and-forget by design: the envelope is already durable, so a lost push only delays it
/// until the device's next connect.
/// </summary>
public sealed class EnvelopeNotifier(ConnectionRegistry registry, IGrainFactory grains)
{
    /// <summary>Pushes stored envelope <paramref name="id"/>, serialized as <paramref name="frame"/>, to a device if it is online anywhere.</summary>
    public void Notify(DeviceAddress device, long id, byte[] frame)
    {
        if (registry.TryGet(device, out var connection))
        {
            connection.PushLive(id, frame);
            return;
        }
        _ = ConnectionDirectoryGrain.For(grains, device).Push(device, new PushedEnvelope(id, frame));
    }

    /// <summary>Pushes a frame that is never stored (presence, typing) to a device if it is online anywhere.</summary>
    public void NotifyEphemeral(DeviceAddress device, byte[] frame)
    {
        if (registry.TryGet(device, out var connection))
        {
            connection.PushEphemeral(frame);
            return;
        }
        _ = ConnectionDirectoryGrain.For(grains, device).PushEphemeral(device, frame);
    }
}
