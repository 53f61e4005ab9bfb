using Google.Protobuf;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Groups;
using Parley.Crypto.Messages;
using Parley.Protocol.Encrypted;
using Parley.Protocol.Wire;

namespace Parley.Client.Messaging;

/// <summary>
/// Group messages with Sender Keys: our sender key goes to every other member device over the
/// pairwise sessions, then each message is one <c>SenderKeyMessage</c> that the server fans out.
/// A message whose sender key has not arrived is kept and decrypted when the key comes.
/// </summary>
public sealed partial class ParleyClient
{
    private readonly SemaphoreSlim _groupSending = new(1, 1);
    private bool _senderKeyArrived;

    /// <summary>A group message arrived, was decrypted and stored (its envelope is acked right after).</summary>
    public event Action<GroupMessage>? GroupMessageReceived;

    /// <summary>One of our group messages moved to Sent, Delivered (every member has it) or Read (every member read it).</summary>
    public event Action<GroupMessage>? GroupMessageStatusChanged;

    private ProtocolAddress OwnAddress => new(AccountId, (uint)Account.DeviceId);

    /// <summary>
    /// Encrypts <paramref name="text"/> once with our sender key for the group (first handing the
    /// key to members who lack it) and completes when the server stored it: status Sent.
    /// </summary>
    /// <exception cref="NotAGroupMemberException">We left or were removed.</exception>
    /// <exception cref="SendFailedException">The server refused it (e.g. only admins may send).</exception>
    public Task<GroupMessage> SendGroupTextAsync(string groupId, string text, CancellationToken cancellationToken = default) =>
        SendGroupDataAsync(groupId, text, null, null, cancellationToken);

    /// <summary>Like <see cref="SendGroupTextAsync(string, string, CancellationToken)"/>, as a reply to the group message <paramref name="replyTo"/> (its id).</summary>
    /// <exception cref="ArgumentException"><paramref name="replyTo"/> is not among the group's recent history.</exception>
    public async Task<GroupMessage> SendGroupTextAsync(string groupId, string text, byte[]? replyTo, CancellationToken cancellationToken = default)
    {
        MessageQuote? quote = null;
        if (replyTo is not null)
        {
            var original = Original(await _store.GetGroupHistoryAsync(groupId), m => m.MessageId, replyTo);
            quote = MessageQuote.Of(original.MessageId, original.SenderAccountId, original.SenderNumber, original.Text, original.Attachment);
        }
        return await SendGroupDataAsync(groupId, text, null, quote, cancellationToken);
    }

    private async Task<GroupMessage> SendGroupDataAsync(string groupId, string text, Media.MediaAttachment? attachment, MessageQuote? quote,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        await _groupSending.WaitAsync(cancellationToken);
        try
        {
            var group = await SendableGroupAsync(groupId, cancellationToken);
            var messageId = NewMessageId();
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var data = new DataMessage
            {
                Text = text, Timestamp = timestamp, Group = new GroupContext { GroupId = groupId }, Attachment = attachment?.ToProto(), Quote = quote?.ToProto(),
            };
            var message = new GroupMessage(groupId, messageId, AccountId, Number, MessageDirection.Outgoing, text, timestamp, MessageStatus.Pending)
            {
                Attachment = attachment,
                Quote = quote,
            };
            await EncryptAndSendToGroupAsync(group, data, messageId, () => _store.AddGroupMessageAsync(message), cancellationToken);
            var sent = await _store.AdvanceGroupMessageStatusAsync(groupId, messageId, MessageStatus.Sent);
            if (sent is not null)
            {
                GroupMessageStatusChanged?.Invoke(sent);
            }
            return sent ?? message with { Status = MessageStatus.Sent };
        }
        finally
        {
            _groupSending.Release();
        }
    }

    /// <summary>The group, if we may still send to it.</summary>
    /// <exception cref="NotAGroupMemberException">We left or were removed.</exception>
    private async Task<LocalGroup> SendableGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var group = await _store.LoadGroupAsync(groupId) ?? await FindGroupAsync(groupId, cancellationToken);
        return group.IsMember ? group : throw new NotAGroupMemberException(group.Name);
    }

    /// <summary>
    /// Hands our sender key to members who lack it, encrypts <paramref name="data"/> once with it and
    /// completes when the server stored it. <paramref name="beforeSend"/> (keeping it in our history)
    /// runs between encryption and sending. Call under <c>_groupSending</c>.
    /// </summary>
    private async Task EncryptAndSendToGroupAsync(LocalGroup group, DataMessage data, byte[] messageId, Func<Task>? beforeSend,
        CancellationToken cancellationToken)
    {
        var distributionId = await DistributeSenderKeyAsync(group, cancellationToken);
        var content = new Content { SenderNumber = Number, Data = data };
        var ciphertext = await _store.AtomicallyAsync(async () =>
            (await new GroupCipher(_protocol).EncryptAsync(OwnAddress, distributionId, ContentPadding.Pad(WithProfileKey(content)))).Serialize());
        if (beforeSend is not null)
        {
            await beforeSend();
        }
        try
        {
            await Connection.RequestAsync(new ClientFrame
            {
                SendGroup = new SendGroupMessage
                {
                    GroupId = group.GroupId,
                    MessageId = ByteString.CopyFrom(messageId),
                    ClientTimestamp = data.Timestamp,
                    Content = ByteString.CopyFrom(ciphertext),
                },
            }, cancellationToken);
        }
        catch (SendRejectedException error) when (error.Code == ErrorCode.NotAMember)
        {
            await MarkNotMemberAsync(group.GroupId);
            throw new NotAGroupMemberException(group.Name);
        }
        catch (SendRejectedException error)
        {
            throw new SendFailedException($"The server refused the group message: {error.Message}", error);
        }
    }

    /// <summary>Tells the senders of these group messages that the user read them (per-member read state on their side).</summary>
    public async Task MarkGroupReadAsync(string groupId, IEnumerable<GroupMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var bySender in messages.Where(m => m.Direction == MessageDirection.Incoming).GroupBy(m => m.SenderAccountId))
        {
            var receipt = new SendReadReceipt { SenderAccount = bySender.Key, GroupId = groupId };
            receipt.MessageIds.AddRange(bySender.Select(m => ByteString.CopyFrom(m.MessageId)));
            await Connection.RequestAsync(new ClientFrame { ReadReceipt = receipt }, cancellationToken);
        }
    }

    /// <summary>
    /// Makes sure every member (and our own other devices) holds our current sender key for the
    /// group, creating a new key when the last one was retired. Returns its distribution id.
    /// </summary>
    private async Task<Guid> DistributeSenderKeyAsync(LocalGroup group, CancellationToken cancellationToken)
    {
        var distributionId = group.SenderKeyDistributionId ?? Guid.NewGuid();
        var holders = group.SenderKeyDistributionId is null ? [] : group.SenderKeyHolders.ToHashSet();
        var distribution = await _store.AtomicallyAsync(() => new GroupSessionBuilder(_protocol).CreateAsync(OwnAddress, distributionId));
        var content = new Content
        {
            SenderNumber = Number,
            SenderKeyDistribution = new SenderKeyDistribution
            {
                GroupId = group.GroupId,
                Distribution = ByteString.CopyFrom(distribution.Serialize()),
                GroupPhoto = CurrentGroupPhoto(group),
            },
        };
        var missing = group.Members.Select(m => m.AccountId).Where(a => a != AccountId && !holders.Contains(a)).ToList();
        if (!holders.Contains(AccountId))
        {
            missing.Insert(0, AccountId); // our own other devices receive the group's messages too
        }
        if (group.SenderKeyDistributionId is null || missing.Count > 0)
        {
            foreach (var account in missing)
            {
                if (account != AccountId || (await _store.ListSessionDevicesAsync(AccountId)).Any(d => d != (uint)Account.DeviceId)
                    || await HasOtherOwnDevicesAsync(cancellationToken))
                {
                    try
                    {
                        await SendContentAsync(account, content, NewMessageId(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cancellationToken);
                    }
                    catch (UnknownNumberException)
                    {
                        // The member's account is gone: nothing to hand the key to.
                    }
                }
                holders.Add(account);
            }
            await SaveSenderKeyStateAsync(group.GroupId, group.SenderKeyDistributionId, distributionId, holders);
        }
        return distributionId;
    }

    /// <summary>Records who holds our key, unless a membership change retired the key meanwhile.</summary>
    private Task SaveSenderKeyStateAsync(string groupId, Guid? expected, Guid distributionId, IReadOnlyCollection<string> holders) =>
        _store.AtomicallyAsync(async () =>
        {
            if (await _store.LoadGroupAsync(groupId) is { } current && current.SenderKeyDistributionId == expected)
            {
                await _store.SaveGroupAsync(current with { SenderKeyDistributionId = distributionId, SenderKeyHolders = holders.ToList() });
            }
            return true;
        });

    /// <summary>A member's sender key, decrypted from a pairwise message (inside that message's atomic unit).</summary>
    private async Task ProcessSenderKeyDistributionAsync(Envelope envelope, SenderKeyDistribution distribution)
    {
        var message = SenderKeyDistributionMessage.Deserialize(distribution.Distribution.Span);
        await new GroupSessionBuilder(_protocol).ProcessAsync(new ProtocolAddress(envelope.SourceAccount, envelope.SourceDevice), message);
        _senderKeyArrived = true;
        await RememberGroupPhotoAsync(distribution.GroupId, distribution.GroupPhoto);
    }

    /// <summary>After a sender key arrived: decrypt the messages of that sender device that waited for it.</summary>
    private async Task RetryPendingGroupMessagesAsync(Envelope carrier)
    {
        if (!_senderKeyArrived)
        {
            return;
        }
        _senderKeyArrived = false;
        foreach (var pending in await _store.TakePendingGroupEnvelopesAsync(carrier.SourceAccount, carrier.SourceDevice))
        {
            await ReceiveGroupMessageAsync(Envelope.Parser.ParseFrom(pending.Envelope));
        }
    }

    private async Task ReceiveGroupMessageAsync(Envelope envelope)
    {
        var groupId = envelope.GroupId;
        var messageId = envelope.MessageId.ToByteArray();
        if (await _store.HasGroupMessageAsync(groupId, envelope.SourceAccount, messageId))
        {
            return; // redelivered after a lost ack
        }
        var sender = new ProtocolAddress(envelope.SourceAccount, envelope.SourceDevice);
        GroupMessage? stored;
        try
        {
            stored = await _store.AtomicallyAsync(async () =>
            {
                var plaintext = await new GroupCipher(_protocol).DecryptAsync(sender, SenderKeyMessage.Deserialize(envelope.Content.Span));
                var content = ContentPadding.Unpad(plaintext);
                if (content.BodyCase != Content.BodyOneofCase.Data || content.Data.Group?.GroupId != groupId)
                {
                    return null; // not a chat message of this group (a newer client's kind, or moved by the server)
                }
                if (content.Data.GroupPhoto is { } photo)
                {
                    await RememberGroupPhotoAsync(groupId, photo); // a photo change, not a message to show
                    return null;
                }
                var outgoing = envelope.SourceAccount == AccountId;
                var number = outgoing ? Number : (await ContactOfSenderAsync(envelope.SourceAccount, content.SenderNumber)).Number;
                await LearnProfileKeyAsync(envelope, content);
                var message = new GroupMessage(groupId, messageId, envelope.SourceAccount, number,
                    outgoing ? MessageDirection.Outgoing : MessageDirection.Incoming, content.Data.Text,
                    content.Data.Timestamp != 0 ? content.Data.Timestamp : envelope.ClientTimestamp, outgoing ? MessageStatus.Sent : MessageStatus.Received)
                {
                    Attachment = Media.MediaAttachment.FromProto(content.Data.Attachment),
                    Quote = await ReceivedQuoteAsync(content.Data.Quote),
                };
                return await _store.AddGroupMessageAsync(message) ? message : null;
            });
        }
        catch (SignalProtocolException error) when (error.Error == SignalError.NoSenderKeyState)
        {
            // The sender's key has not reached us yet (it travels over the pairwise session): keep the message for then.
            await _store.AddPendingGroupEnvelopeAsync(new PendingGroupEnvelope(envelope.SourceAccount, envelope.SourceDevice, messageId, envelope.ToByteArray()));
            return;
        }
        catch (SignalProtocolException error) when (error.Error == SignalError.DuplicateMessage)
        {
            return;
        }
        catch (Exception error) when (error is SignalProtocolException or InvalidDataException)
        {
            DecryptionFailed?.Invoke(new DecryptionFailedEvent(envelope.SourceAccount, envelope.SourceDevice, error.Message));
            return;
        }
        if (stored is not null)
        {
            if (await _store.LoadGroupAsync(groupId) is null)
            {
                await TryRefreshGroupsAsync();
            }
            GroupMessageReceived?.Invoke(stored);
        }
    }

    /// <summary>The server says every member our group messages were sent to has them on a device: two grey ticks.</summary>
    private async Task ApplyGroupDeliveredAsync(Envelope envelope)
    {
        foreach (var id in envelope.ReceiptedMessageIds)
        {
            if (await _store.AdvanceGroupMessageStatusAsync(envelope.GroupId, id.ToByteArray(), MessageStatus.Delivered) is { } changed)
            {
                GroupMessageStatusChanged?.Invoke(changed);
            }
        }
    }

    /// <summary>A member read our group message: read (blue ticks) once every member has.</summary>
    private async Task ApplyGroupReadAsync(Envelope envelope)
    {
        if (envelope.SourceAccount == AccountId)
        {
            return; // our own other device has it: says nothing about the members
        }
        foreach (var id in envelope.ReceiptedMessageIds.Select(i => i.ToByteArray()))
        {
            if (!await _store.RecordGroupReceiptAsync(envelope.GroupId, id, envelope.SourceAccount, MessageStatus.Read)
                || await _store.LoadGroupAsync(envelope.GroupId) is not { } group)
            {
                continue;
            }
            var receipts = await _store.GetGroupReceiptsAsync(envelope.GroupId, id);
            var others = group.Members.Where(m => m.AccountId != AccountId).ToList();
            if (others.All(m => receipts.GetValueOrDefault(m.AccountId) == MessageStatus.Read)
                && await _store.AdvanceGroupMessageStatusAsync(envelope.GroupId, id, MessageStatus.Read) is { } changed)
            {
                GroupMessageStatusChanged?.Invoke(changed);
            }
        }
    }

    private async Task TryRefreshGroupsAsync()
    {
        try
        {
            await RefreshGroupsAsync(_stopping.Token);
        }
        catch (Exception error) when (error is HttpRequestException or Api.ParleyApiException or TaskCanceledException)
        {
            // The next group event or command stores the group; the message is kept either way.
        }
    }
}
