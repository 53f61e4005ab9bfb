using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Messages;

namespace Parley.Server.Groups;

/// <summary>The WebSocket side of group messages: checks the frame, then lets the group's grain fan it out.</summary>
public sealed class GroupMessageSender(IGrainFactory grains)
{
    public async Task<ServerFrame> SendAsync(DeviceAddress sender, SendGroupMessage message)
    {
        if (!Guid.TryParse(message.GroupId, out _))
        {
            return Frames.Error(ErrorCode.MalformedFrame, "group_id must be a group id (UUID).");
        }
        if (message.MessageId.Length != StoredEnvelope.MessageIdLength)
        {
            return Frames.Error(ErrorCode.MalformedFrame, "message_id must be 16 bytes.");
        }
        if (message.Content.IsEmpty)
        {
            return Frames.Error(ErrorCode.MalformedFrame, "A group message must not be empty.");
        }
        if (message.Content.Length > MessageLimits.MaxCiphertextBytes)
        {
            return Frames.Error(ErrorCode.TooLarge, $"A ciphertext may be at most {MessageLimits.MaxCiphertextBytes} bytes.");
        }
        var outcome = await grains.GetGrain<IGroupGrain>(message.GroupId).Send(new GroupMessage(sender.AccountId, sender.DeviceId,
            message.MessageId.ToByteArray(), message.ClientTimestamp, message.Content.ToByteArray()));
        return outcome.Error is { } error
            ? Frames.Error(error, outcome.ErrorMessage ?? "Refused.")
            : new ServerFrame { SendResult = new SendResult { ServerTimestamp = outcome.ServerTimestamp, RecipientDevices = (uint)outcome.RecipientDevices } };
    }
}
