using Orleans.Concurrency;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>An envelope frame on its way to a device, serialized once by the node that stored it.</summary>
[GenerateSerializer, Immutable]
public sealed record PushedEnvelope([property: Id(0)] long Id, [property: Id(1)] byte[] Frame);

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
