using Parley.Server.Hosting;
using Parley.Server.Messages;

namespace Parley.Server.Connections;

/// <summary>What every device connection needs, resolved once per node instead of once per socket.</summary>
public sealed record ConnectionServices(
    MessageSender Sender,
    Groups.GroupMessageSender GroupSender,
    Presence.TypingRelay Typing,
    ConnectionRegistry Registry,
    IGrainFactory Grains,
    ReceiptSender Receipts,
    EnvelopeStore Envelopes,
    LimitOptions Limits,
    TimeProvider Clock,
    ILogger<DeviceConnection> Log);
