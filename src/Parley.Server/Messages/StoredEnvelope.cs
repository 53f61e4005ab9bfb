using Parley.Protocol.Wire;
using Parley.Server.Accounts;

namespace Parley.Server.Messages;

/// <summary>
/// An envelope queued for one device, as stored. Content is opaque ciphertext. Group messages and
/// events store their content once in group_payloads (<see cref="PayloadId"/>); <see cref="Content"/>
/// then holds that shared payload in memory only.
/// </summary>
public sealed record StoredEnvelope(
    long Id,
    DeviceAddress Destination,
    EnvelopeType Type,
    string SourceAccount,
    int SourceDevice,
    byte[] MessageId,
    long ClientTimestamp,
    long ServerTimestamp,
    byte[] Content,
    byte[] ReceiptedIds,
    long ExpiresAt,
    string? GroupId = null,
    long? PayloadId = null)
{
    /// <summary>Message ids are 16 bytes; receipts store theirs concatenated.</summary>
    public const int MessageIdLength = 16;

    public bool IsMessage => EnvelopeStore.IsMessageType(Type);

    /// <summary>What the envelope row itself stores: nothing when the content lives in group_payloads.</summary>
    public byte[] StoredContent => PayloadId is null ? Content : [];

    public Envelope ToWire()
    {
        var envelope = new Envelope
        {
            Id = (ulong)Id,
            Type = Type,
            SourceAccount = SourceAccount,
            SourceDevice = (uint)SourceDevice,
            MessageId = Google.Protobuf.ByteString.CopyFrom(MessageId),
            ClientTimestamp = ClientTimestamp,
            ServerTimestamp = ServerTimestamp,
            Content = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(Content),
            GroupId = GroupId ?? "",
        };
        for (var offset = 0; offset + MessageIdLength <= ReceiptedIds.Length; offset += MessageIdLength)
        {
            envelope.ReceiptedMessageIds.Add(Google.Protobuf.ByteString.CopyFrom(ReceiptedIds, offset, MessageIdLength));
        }
        return envelope;
    }

    /// <summary>The complete WebSocket frame that pushes this envelope, serialized once for every hop.</summary>
    public byte[] ToFrameBytes() => Google.Protobuf.MessageExtensions.ToByteArray(new ServerFrame { Envelope = ToWire() });
}

/// <summary>The part of an acknowledged (deleted) envelope that its sender's delivery receipt needs.</summary>
public sealed record AckedEnvelope(long Id, EnvelopeType Type, string SourceAccount, int SourceDevice, byte[] MessageId, string? GroupId);
