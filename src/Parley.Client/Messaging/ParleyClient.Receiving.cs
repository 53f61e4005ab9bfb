using Parley.Client.Api;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Messages;
using Parley.Crypto.Sessions;
using Parley.Protocol.Encrypted;
using Parley.Protocol.Wire;

namespace Parley.Client.Messaging;

/// <summary>The receive path: decrypt, de-duplicate, store, and only then ack.</summary>
public sealed partial class ParleyClient
{
    /// <summary>The server takes at most this many ids per ack frame.</summary>
    private const int MaxAckBatch = 1000;

    private async Task ReceiveLoopAsync(ParleyConnection connection, CancellationToken cancellationToken)
    {
        var reader = connection.Envelopes;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                lock (_idleLock)
                {
                    _busy = true;
                }
                var processed = new List<ulong>();
                var sawPreKeyMessage = false;
                while (processed.Count < MaxAckBatch && reader.TryRead(out var envelope))
                {
                    await ProcessAsync(envelope);
                    processed.Add(envelope.Id);
                    sawPreKeyMessage |= envelope.Type == EnvelopeType.PrekeyMessage;
                }
                // Everything in the batch is durably stored (or deliberately dropped): now the server may forget it.
                await connection.AcknowledgeAsync(processed, cancellationToken);
                if (sawPreKeyMessage)
                {
                    await TryReplenishAsync(cancellationToken);
                }
                lock (_idleLock)
                {
                    if (!reader.TryPeek(out _))
                    {
                        _busy = false;
                        _idle.TrySetResult();
                        _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or LoggedOutException)
        {
            // Shutting down, or the device was logged out: the envelopes stay queued on the server.
        }
    }

    private async Task TryReplenishAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _preKeys.ReplenishAsync(cancellationToken);
        }
        catch (Exception error) when (error is HttpRequestException or ParleyApiException or TaskCanceledException)
        {
            // The next connect or prekey message tries again; the last-resort keys cover the gap.
        }
    }

    private async Task ProcessAsync(Envelope envelope)
    {
        switch (envelope.Type)
        {
            case EnvelopeType.GroupDeliveryReceipt:
                await ApplyGroupDeliveredAsync(envelope);
                break;
            case EnvelopeType.ReadReceipt when envelope.GroupId.Length > 0:
                await ApplyGroupReadAsync(envelope);
                break;
            case EnvelopeType.DeliveryReceipt:
                await ApplyReceiptAsync(envelope, MessageStatus.Delivered);
                break;
            case EnvelopeType.ReadReceipt:
                await ApplyReceiptAsync(envelope, MessageStatus.Read);
                break;
            case EnvelopeType.Ciphertext or EnvelopeType.PrekeyMessage:
                await DecryptAndStoreAsync(envelope);
                await RetryPendingGroupMessagesAsync(envelope);
                break;
            case EnvelopeType.SenderKeyMessage:
                await ReceiveGroupMessageAsync(envelope);
                break;
            case EnvelopeType.GroupEvent:
                await ApplyGroupEventAsync(envelope);
                break;
            default:
                // A newer server's envelope type: acked and dropped like undecryptable ones.
                DecryptionFailed?.Invoke(new DecryptionFailedEvent(envelope.SourceAccount, envelope.SourceDevice, $"unsupported envelope type {envelope.Type}"));
                break;
        }
    }

    private async Task ApplyReceiptAsync(Envelope envelope, MessageStatus status)
    {
        foreach (var id in envelope.ReceiptedMessageIds)
        {
            if (await _store.AdvanceStatusAsync(envelope.SourceAccount, id.ToByteArray(), status) is { } changed)
            {
                MessageStatusChanged?.Invoke(changed);
            }
        }
    }

    private async Task DecryptAndStoreAsync(Envelope envelope)
    {
        var messageId = envelope.MessageId.ToByteArray();
        var direction = envelope.SourceAccount == AccountId ? MessageDirection.Outgoing : MessageDirection.Incoming;
        if (direction == MessageDirection.Incoming && await _store.HasMessageAsync(envelope.SourceAccount, direction, messageId))
        {
            return; // redelivered after a lost ack: already stored, already shown
        }
        if (envelope.Type == EnvelopeType.PrekeyMessage && envelope.SourceDevice != PrimaryDeviceId && !await IsSignedDeviceAsync(envelope))
        {
            DecryptionFailed?.Invoke(new DecryptionFailedEvent(envelope.SourceAccount, envelope.SourceDevice,
                "the sending device is not in the device list its account's primary signed; message dropped"));
            return;
        }
        var address = new ProtocolAddress(envelope.SourceAccount, envelope.SourceDevice);
        StoredMessage? stored;
        CallMessage? call = null;
        var callerNumber = "";
        try
        {
            stored = await _store.AtomicallyAsync(async () =>
            {
                var type = envelope.Type == EnvelopeType.PrekeyMessage ? CiphertextMessageType.PreKey : CiphertextMessageType.Whisper;
                var ciphertext = CiphertextMessage.Deserialize(type, envelope.Content.Span);
                var plaintext = await new SessionCipher(_protocol, address).DecryptAsync(ciphertext);
                var content = ContentPadding.Unpad(plaintext);
                (call, callerNumber) = content.BodyCase == Content.BodyOneofCase.Call ? (content.Call, content.SenderNumber) : (null, "");
                var stored = await StoreContentAsync(envelope, messageId, content);
                await LearnProfileKeyAsync(envelope, content);
                return stored;
            });
        }
        catch (SignalProtocolException error) when (error.Error == SignalError.DuplicateMessage)
        {
            return; // a replay of something already decrypted
        }
        catch (Exception error) when (error is SignalProtocolException or InvalidDataException)
        {
            DecryptionFailed?.Invoke(new DecryptionFailedEvent(envelope.SourceAccount, envelope.SourceDevice, error.Message));
            return;
        }
        if (stored is not null)
        {
            (stored.Direction == MessageDirection.Incoming ? MessageReceived : MessageStatusChanged)?.Invoke(stored);
        }
        if (call is not null && envelope.SourceAccount != AccountId)
        {
            // Answering (ringing, busy) sends messages: done after the store transaction, not inside it.
            var caller = await ContactOfSenderAsync(envelope.SourceAccount, callerNumber);
            await OnCallMessageAsync(envelope.SourceAccount, envelope.SourceDevice, caller.Number, call);
        }
    }

    private async Task<StoredMessage?> StoreContentAsync(Envelope envelope, byte[] messageId, Content content)
    {
        if (content.BodyCase == Content.BodyOneofCase.Sync && envelope.SourceAccount == AccountId)
        {
            // Our own other device sent this to someone: show it in that chat as sent.
            var sent = content.Sync.Sent;
            if (sent?.Message is null || await SyncPeerAsync(sent.DestinationNumber) is not { } peer)
            {
                return null;
            }
            var copy = new StoredMessage(sent.MessageId.ToByteArray(), peer.AccountId, peer.Number, MessageDirection.Outgoing,
                sent.Message.Text, sent.Message.Timestamp, MessageStatus.Sent)
            {
                Attachment = Media.MediaAttachment.FromProto(sent.Message.Attachment),
                Quote = await ReceivedQuoteAsync(sent.Message.Quote),
            };
            return await _store.AddMessageAsync(copy) ? copy : null;
        }
        if (content.BodyCase == Content.BodyOneofCase.History && envelope.SourceAccount == AccountId)
        {
            await StoreHistoryAsync(content.History);
            return null;
        }
        if (content.BodyCase == Content.BodyOneofCase.SenderKeyDistribution)
        {
            await ProcessSenderKeyDistributionAsync(envelope, content.SenderKeyDistribution);
            return null;
        }
        if (content.BodyCase != Content.BodyOneofCase.Data || content.Data.Group is not null)
        {
            return null; // a newer client's content type: nothing to show yet
        }
        var contact = await ContactOfSenderAsync(envelope.SourceAccount, content.SenderNumber);
        var message = new StoredMessage(messageId, contact.AccountId, contact.Number, MessageDirection.Incoming,
            content.Data.Text, content.Data.Timestamp != 0 ? content.Data.Timestamp : envelope.ClientTimestamp, MessageStatus.Received)
        {
            Attachment = Media.MediaAttachment.FromProto(content.Data.Attachment),
            Quote = await ReceivedQuoteAsync(content.Data.Quote),
        };
        return await _store.AddMessageAsync(message) ? message : null;
    }

    /// <summary>
    /// The chat a sync copy belongs to. Another device of this account may write to someone this
    /// device never talked to: the number is looked up then (it comes from our own device, encrypted).
    /// </summary>
    private async Task<Contact?> SyncPeerAsync(string number)
    {
        try
        {
            return await ResolveAsync(number, _stopping.Token);
        }
        catch (Exception error) when (error is UnknownNumberException or HttpRequestException or ParleyApiException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Who wrote: a known contact, or the number the sender claims inside the encrypted content,
    /// believed only if the server's directory maps it to the sending account. Otherwise the chat is
    /// labelled with the bare account id.
    /// </summary>
    private async Task<Contact> ContactOfSenderAsync(string accountId, string claimedNumber)
    {
        if (await _store.FindContactByAccountAsync(accountId) is { } known)
        {
            return known;
        }
        string? verified = null;
        if (claimedNumber.Length > 0)
        {
            try
            {
                var found = await _api.LookupAsync(Account.Credentials, claimedNumber, _stopping.Token);
                verified = found.AccountId == accountId ? claimedNumber : null;
            }
            catch (ParleyApiException error) when (error.Code is Protocol.Rest.ErrorCodes.UnknownAccount or Protocol.Rest.ErrorCodes.InvalidNumber)
            {
                verified = null;
            }
            catch (Exception error) when (error is HttpRequestException or ParleyApiException or TaskCanceledException)
            {
                // Directory unreachable: show the claimed number this once, but remember nothing, so the next message checks again.
                return new Contact(claimedNumber, accountId);
            }
        }
        var contact = new Contact(verified ?? accountId, accountId);
        await _store.SaveContactAsync(contact);
        return contact;
    }
}
