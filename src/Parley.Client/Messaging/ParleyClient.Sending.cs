using System.Net;
using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Kem;
using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;
using Parley.Protocol.Encrypted;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;

namespace Parley.Client.Messaging;

/// <summary>The send path: resolve the number, encrypt per device, send, repair the device list and retry.</summary>
public sealed partial class ParleyClient
{
    /// <summary>
    /// Encrypts <paramref name="text"/> for every device of <paramref name="number"/> (and for this
    /// account's other devices) and completes once the server stored it: status
    /// <see cref="MessageStatus.Sent"/>. Receipts later move it to Delivered and Read.
    /// </summary>
    /// <exception cref="UnknownNumberException">No account has this number.</exception>
    /// <exception cref="SendFailedException">The device list kept changing, or the server refused the message.</exception>
    /// <exception cref="HttpRequestException">The server cannot be reached (REST).</exception>
    public Task<StoredMessage> SendTextAsync(string number, string text, CancellationToken cancellationToken = default) =>
        SendDataAsync(number, text, null, null, cancellationToken);

    /// <summary>
    /// Like <see cref="SendTextAsync(string, string, CancellationToken)"/>, as a reply to the message
    /// <paramref name="replyTo"/> (its id) in the chat with <paramref name="number"/>: both sides show
    /// it quoted above the text. The quote travels inside the encrypted message.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="replyTo"/> is not among the chat's recent history.</exception>
    public async Task<StoredMessage> SendTextAsync(string number, string text, byte[]? replyTo, CancellationToken cancellationToken = default)
    {
        MessageQuote? quote = null;
        if (replyTo is not null)
        {
            var contact = await ResolveAsync(number, cancellationToken);
            var original = Original(await _store.GetHistoryAsync(contact.AccountId), m => m.MessageId, replyTo);
            var (author, authorNumber) = original.Direction == MessageDirection.Outgoing ? (AccountId, Number) : (original.PeerAccountId, original.PeerNumber);
            quote = MessageQuote.Of(original.MessageId, author, authorNumber, original.Text, original.Attachment);
        }
        return await SendDataAsync(number, text, null, quote, cancellationToken);
    }

    private async Task<StoredMessage> SendDataAsync(string number, string text, Media.MediaAttachment? attachment, MessageQuote? quote,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var contact = await ResolveAsync(number, cancellationToken);
        var messageId = RandomNumberGenerator.GetBytes(16);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var data = new DataMessage { Text = text, Timestamp = timestamp, Attachment = attachment?.ToProto(), Quote = quote?.ToProto() };
        var message = new StoredMessage(messageId, contact.AccountId, contact.Number, MessageDirection.Outgoing, text, timestamp, MessageStatus.Pending)
        {
            Attachment = attachment,
            Quote = quote,
        };
        await _store.AddMessageAsync(message);

        await SendContentAsync(contact.AccountId, new Content { SenderNumber = Number, Data = data }, messageId, timestamp, cancellationToken);
        var sent = await _store.AdvanceStatusAsync(contact.AccountId, messageId, MessageStatus.Sent);
        if (sent is not null)
        {
            MessageStatusChanged?.Invoke(sent);
        }
        await SyncToOwnDevicesAsync(contact.Number, messageId, data, timestamp, cancellationToken);
        return sent ?? message with { Status = MessageStatus.Sent };
    }

    /// <summary>
    /// How long the last send waited for the server's acknowledgement (the WebSocket round trip and
    /// the server's durable store): tells the client's own cost of a send from the server's part.
    /// </summary>
    public TimeSpan LastAcknowledgementWait { get; private set; }

    /// <summary>Tells <paramref name="number"/> that the user read these of their messages (blue ticks on their side).</summary>
    public async Task MarkReadAsync(string number, IEnumerable<byte[]> messageIds, CancellationToken cancellationToken = default)
    {
        var contact = await _store.FindContactByNumberAsync(number) ?? throw new UnknownNumberException(number);
        await Connection.SendReadReceiptAsync(contact.AccountId, messageIds, cancellationToken);
    }

    private ParleyConnection Connection => _connection ?? throw new InvalidOperationException("Connect first.");

    /// <summary>The contact of a number: from the local store, else from the server's directory.</summary>
    private async Task<Contact> ResolveAsync(string number, CancellationToken cancellationToken)
    {
        if (await _store.FindContactByNumberAsync(number) is { } known)
        {
            return known;
        }
        AccountLookupResponse found;
        try
        {
            found = await _api.LookupAsync(Account.Credentials, number, cancellationToken);
        }
        catch (ParleyApiException error) when (error.Code is ErrorCodes.UnknownAccount or ErrorCodes.InvalidNumber || error.Status == HttpStatusCode.NotFound)
        {
            throw new UnknownNumberException(number);
        }
        var contact = new Contact(number, found.AccountId);
        await _store.SaveContactAsync(contact);
        return contact;
    }

    /// <summary>A copy of a sent message for this account's other devices, which show it as sent by me.</summary>
    private async Task SyncToOwnDevicesAsync(string destination, byte[] messageId, DataMessage data, long timestamp, CancellationToken cancellationToken)
    {
        var ownDevices = (await _store.ListSessionDevicesAsync(AccountId)).Where(d => d != (uint)Account.DeviceId).ToList();
        if (ownDevices.Count == 0 && !await HasOtherOwnDevicesAsync(cancellationToken))
        {
            return;
        }
        var sync = new SyncMessage { Sent = new SyncMessage.Types.Sent { DestinationNumber = destination, MessageId = ByteString.CopyFrom(messageId), Message = data } };
        await SendContentAsync(AccountId, new Content { SenderNumber = Number, Sync = sync }, RandomNumberGenerator.GetBytes(16), timestamp, cancellationToken);
    }

    private async Task<SendResult> SendContentAsync(string accountId, Content content, byte[] messageId, long timestamp, CancellationToken cancellationToken)
    {
        var padded = ContentPadding.Pad(WithProfileKey(content));
        SendRejectedException? last = null;
        for (var attempt = 0; attempt < _options.MaxSendAttempts; attempt++)
        {
            var devices = await DevicesOfAsync(accountId, cancellationToken);
            if (devices.Count == 0 && accountId == AccountId)
            {
                return new SendResult(); // no other own device (any more): nothing to sync
            }
            var message = new SendMessage { DestinationAccount = accountId, MessageId = ByteString.CopyFrom(messageId), ClientTimestamp = timestamp };
            message.Ciphertexts.AddRange(await EncryptForDevicesAsync(accountId, devices, padded));
            try
            {
                var waiting = System.Diagnostics.Stopwatch.GetTimestamp();
                var result = await Connection.SendAsync(message, cancellationToken);
                LastAcknowledgementWait = System.Diagnostics.Stopwatch.GetElapsedTime(waiting);
                return result;
            }
            catch (SendRejectedException error) when (error.Code == ErrorCode.MismatchedDevices)
            {
                last = error;
                foreach (var extra in error.Error.ExtraDevices)
                {
                    await _store.DeleteSessionAsync(accountId, extra);
                }
                foreach (var missing in error.Error.MissingDevices)
                {
                    await FetchSessionsAsync(accountId, (int)missing, cancellationToken);
                }
            }
            catch (SendRejectedException error) when (error.Code == ErrorCode.StaleDevices)
            {
                last = error;
                foreach (var stale in error.Error.StaleDevices)
                {
                    await ArchiveSessionAsync(new ProtocolAddress(accountId, stale));
                    await FetchSessionsAsync(accountId, (int)stale, cancellationToken);
                }
            }
            catch (SendRejectedException error) when (error.Code == ErrorCode.UnknownAccount)
            {
                throw new UnknownNumberException((await _store.FindContactByAccountAsync(accountId))?.Number ?? accountId);
            }
            catch (SendRejectedException error)
            {
                throw new SendFailedException($"The server refused the message: {error.Message}", error);
            }
        }
        throw new SendFailedException($"The recipient's device list kept changing ({_options.MaxSendAttempts} attempts).", last);
    }

    /// <summary>Devices to encrypt for: those we have sessions with, or all of the account's when we have none yet.</summary>
    private async Task<IReadOnlyList<uint>> DevicesOfAsync(string accountId, CancellationToken cancellationToken)
    {
        var devices = await _store.ListSessionDevicesAsync(accountId);
        if (devices.Count == 0)
        {
            await FetchSessionsAsync(accountId, null, cancellationToken);
            devices = await _store.ListSessionDevicesAsync(accountId);
        }
        return accountId == AccountId ? devices.Where(d => d != (uint)Account.DeviceId).ToList() : devices;
    }

    private async Task<List<DeviceCiphertext>> EncryptForDevicesAsync(string accountId, IReadOnlyList<uint> devices, byte[] padded)
    {
        // Devices whose session was archived (stale) need a bundle before we can encrypt for them.
        foreach (var device in devices)
        {
            if (await _protocol.LoadSessionAsync(new ProtocolAddress(accountId, device)) is not { HasCurrentState: true })
            {
                await FetchSessionsAsync(accountId, (int)device, _stopping.Token);
            }
        }
        return await _store.AtomicallyAsync(async () =>
        {
            var ciphertexts = new List<DeviceCiphertext>(devices.Count);
            foreach (var device in devices)
            {
                var address = new ProtocolAddress(accountId, device);
                var encrypted = await new SessionCipher(_protocol, address).EncryptAsync(padded);
                var session = await _protocol.LoadSessionAsync(address);
                ciphertexts.Add(new DeviceCiphertext
                {
                    DeviceId = device,
                    RegistrationId = session!.RemoteRegistrationId,
                    Type = encrypted.Type == CiphertextMessageType.PreKey ? EnvelopeType.PrekeyMessage : EnvelopeType.Ciphertext,
                    Content = ByteString.CopyFrom(encrypted.Serialize()),
                });
            }
            return ciphertexts;
        });
    }

    /// <summary>Fetches prekey bundles (one device, or all with null) and starts a session with each.</summary>
    private async Task FetchSessionsAsync(string accountId, int? deviceId, CancellationToken cancellationToken)
    {
        PreKeyResponse bundles;
        try
        {
            bundles = await _api.GetPreKeysAsync(Account.Credentials, accountId, deviceId, cancellationToken);
        }
        catch (ParleyApiException error) when (error.Code == ErrorCodes.UnknownDevice)
        {
            await _store.DeleteSessionAsync(accountId, (uint)deviceId!.Value);
            return;
        }
        // Device 1 first: its session records the primary identity that the signed device list is checked against.
        var ordered = bundles.Devices.OrderBy(b => b.DeviceId).ToList();
        var primary = ordered.Where(b => b.DeviceId == PrimaryDeviceId && !(accountId == AccountId && IsPrimary)).ToList();
        if (accountId == AccountId && primary.Count == 1 && await _protocol.GetIdentityAsync(new ProtocolAddress(AccountId, PrimaryDeviceId)) is { } anchor
            && !anchor.Equals(IdentityKey.Deserialize(primary[0].IdentityKey)))
        {
            // A linked device knows its primary's key from the link QR code; the server cannot swap it.
            throw new UntrustedDeviceException("this account", [PrimaryDeviceId]);
        }
        await StartSessionsAsync(accountId, primary);
        await CheckLinkedDevicesAsync(accountId, ordered, cancellationToken);
        await StartSessionsAsync(accountId, ordered.Except(primary).ToList());
    }

    private async Task StartSessionsAsync(string accountId, IReadOnlyList<PreKeyBundleDto> bundles)
    {
        foreach (var bundle in bundles)
        {
            if (accountId == AccountId && bundle.DeviceId == Account.DeviceId)
            {
                continue;
            }
            var address = new ProtocolAddress(accountId, (uint)bundle.DeviceId);
            await _store.AtomicallyAsync(async () =>
            {
                await new SessionBuilder(_protocol, _protocol, address).ProcessPreKeyBundleAsync(ToBundle(bundle));
                return true;
            });
        }
    }

    private Task ArchiveSessionAsync(ProtocolAddress address) => _store.AtomicallyAsync(async () =>
    {
        if (await _protocol.LoadSessionAsync(address) is { } record)
        {
            record.ArchiveCurrentState();
            await _protocol.StoreSessionAsync(address, record);
        }
        return true;
    });

    private static PreKeyBundle ToBundle(PreKeyBundleDto dto) => new(
        (uint)dto.RegistrationId,
        (uint)dto.DeviceId,
        dto.PreKey is null ? null : (uint)dto.PreKey.KeyId,
        dto.PreKey is null ? null : ECPublicKey.Deserialize(dto.PreKey.PublicKey),
        (uint)dto.SignedPreKey.KeyId,
        ECPublicKey.Deserialize(dto.SignedPreKey.PublicKey),
        dto.SignedPreKey.Signature,
        (uint)dto.PqPreKey.KeyId,
        KyberPublicKey.Deserialize(dto.PqPreKey.PublicKey),
        dto.PqPreKey.Signature,
        IdentityKey.Deserialize(dto.IdentityKey));
}
