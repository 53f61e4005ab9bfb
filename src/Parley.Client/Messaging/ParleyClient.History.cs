using Google.Protobuf;
using Parley.Client.Storage;
using Parley.Protocol.Encrypted;
using Parley.Protocol.Wire;

namespace Parley.Client.Messaging;

/// <summary>Recent history for a newly linked device: sent by the primary over their pairwise session, end-to-end encrypted.</summary>
public sealed partial class ParleyClient
{
    /// <summary>
    /// Serialized messages per chunk. Padding, the Signal envelope and a PQXDH prekey message's Kyber
    /// ciphertext add a few KiB; 48 KiB keeps each envelope well under the server's 64 KiB limit.
    /// </summary>
    private const int MaxHistoryChunkBytes = 48 * 1024;

    /// <summary>A newly linked device stored history the primary sent (the number of messages new to it).</summary>
    public event Action<int>? HistoryReceived;

    /// <summary>Sends recent history to this account's device <paramref name="deviceId"/>; returns how many messages went.</summary>
    public async Task<int> SendHistoryAsync(uint deviceId, CancellationToken cancellationToken = default)
    {
        var cutoff = DateTimeOffset.UtcNow.Subtract(_options.HistoryMaxAge).ToUnixTimeMilliseconds();
        var messages = new List<HistoryMessage>();
        foreach (var chat in await _store.ListChatsAsync())
        {
            foreach (var message in await _store.GetHistoryAsync(chat.Contact.AccountId, _options.HistoryMaxMessages))
            {
                if (message.Timestamp >= cutoff)
                {
                    messages.Add(new HistoryMessage
                    {
                        PeerNumber = message.PeerNumber,
                        PeerAccount = message.PeerAccountId,
                        Outgoing = message.Direction == MessageDirection.Outgoing,
                        MessageId = ByteString.CopyFrom(message.MessageId),
                        Text = message.Text,
                        Timestamp = message.Timestamp,
                        Status = (uint)message.Status,
                        Quote = message.Quote?.ToProto(),
                        Attachment = message.Attachment?.ToProto(),
                    });
                }
            }
        }
        var recent = messages.OrderBy(m => m.Timestamp).TakeLast(_options.HistoryMaxMessages).ToList();
        var messageChunks = Chunk(recent);
        var keyChunks = Chunk(await ContactProfileKeysAsync());
        var chunks = Math.Max(1, messageChunks.Count + keyChunks.Count); // one even when empty: it carries our own profile key
        for (var i = 0; i < chunks; i++)
        {
            var transfer = new HistoryTransfer { TargetDevice = deviceId, Chunk = (uint)i, Chunks = (uint)chunks };
            if (i < messageChunks.Count)
            {
                transfer.Messages.AddRange(messageChunks[i]);
            }
            else if (i - messageChunks.Count < keyChunks.Count)
            {
                transfer.ContactProfileKeys.AddRange(keyChunks[i - messageChunks.Count]);
            }
            if (i == 0 && ProfileKey is { } own)
            {
                transfer.ProfileKey = ByteString.CopyFrom(own);
            }
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await SendContentAsync(AccountId, new Content { SenderNumber = Number, History = transfer }, NewMessageId(), timestamp, cancellationToken);
        }
        return recent.Count;
    }

    /// <summary>The profile keys of our contacts, so the new device shows their photos before they next write.</summary>
    private async Task<List<ContactProfileKey>> ContactProfileKeysAsync() =>
        [.. (await _store.ListContactsAsync()).Where(c => c.ProfileKey is not null).Select(c => new ContactProfileKey
        {
            Account = c.AccountId,
            Number = c.Number,
            ProfileKey = ByteString.CopyFrom(c.ProfileKey),
        })];

    private static List<List<T>> Chunk<T>(IReadOnlyList<T> items) where T : IMessage
    {
        var chunks = new List<List<T>> { new() };
        var size = 0;
        foreach (var item in items)
        {
            var bytes = item.CalculateSize() + 8;
            if (size + bytes > MaxHistoryChunkBytes && chunks[^1].Count > 0)
            {
                chunks.Add([]);
                size = 0;
            }
            chunks[^1].Add(item);
            size += bytes;
        }
        return chunks[^1].Count == 0 ? [] : chunks;
    }

    /// <summary>Stores history meant for this device (inside the decrypting transaction); other devices of the account ignore it.</summary>
    private async Task StoreHistoryAsync(HistoryTransfer transfer)
    {
        if (transfer.TargetDevice != (uint)Account.DeviceId)
        {
            return;
        }
        if (transfer.ProfileKey.Length == Crypto.Media.PhotoCipher.KeyLength)
        {
            await AdoptOwnProfileKeyAsync(transfer.ProfileKey.ToByteArray());
        }
        var added = 0;
        foreach (var item in transfer.Messages)
        {
            if (await _store.FindContactByAccountAsync(item.PeerAccount) is null)
            {
                await _store.SaveContactAsync(new Contact(item.PeerNumber, item.PeerAccount));
            }
            var direction = item.Outgoing ? MessageDirection.Outgoing : MessageDirection.Incoming;
            var status = Enum.IsDefined(typeof(MessageStatus), (int)item.Status) ? (MessageStatus)item.Status
                : item.Outgoing ? MessageStatus.Sent : MessageStatus.Received;
            if (await _store.AddMessageAsync(new StoredMessage(item.MessageId.ToByteArray(), item.PeerAccount, item.PeerNumber, direction,
                    item.Text, item.Timestamp, status)
                {
                    Quote = await ReceivedQuoteAsync(item.Quote),
                    Attachment = Media.MediaAttachment.FromProto(item.Attachment),
                }))
            {
                added++;
            }
        }
        foreach (var known in transfer.ContactProfileKeys)
        {
            if (known.ProfileKey.Length == Crypto.Media.PhotoCipher.KeyLength && known.Account.Length > 0)
            {
                if (await _store.FindContactByAccountAsync(known.Account) is null && known.Number.Length > 0)
                {
                    await _store.SaveContactAsync(new Contact(known.Number, known.Account));
                }
                await LearnContactProfileKeyAsync(known.Account, known.ProfileKey.ToByteArray());
            }
        }
        HistoryReceived?.Invoke(added);
    }
}
