namespace Parley.Client.Storage;

/// <summary>Groups, their history and per-member receipts, and group messages waiting for a sender key.</summary>
public interface IGroupStore
{
    Task<LocalGroup?> LoadGroupAsync(string groupId);

    /// <summary>Inserts or replaces by group id (the SDK decides which version wins).</summary>
    Task SaveGroupAsync(LocalGroup group);

    Task<IReadOnlyList<LocalGroup>> ListGroupsAsync();

    /// <summary>Adds a message; false (and nothing stored) if the same group, sender and id exist.</summary>
    Task<bool> AddGroupMessageAsync(GroupMessage message);

    Task<bool> HasGroupMessageAsync(string groupId, string senderAccountId, byte[] messageId);

    /// <summary>One group's chat, oldest first.</summary>
    Task<IReadOnlyList<GroupMessage>> GetGroupHistoryAsync(string groupId, int limit = 1000);

    /// <summary>Records that <paramref name="memberAccountId"/> has our message at <paramref name="status"/> (forward only); false if nothing changed.</summary>
    Task<bool> RecordGroupReceiptAsync(string groupId, byte[] messageId, string memberAccountId, MessageStatus status);

    /// <summary>Each member's state of one of our messages, as their receipts said.</summary>
    Task<IReadOnlyDictionary<string, MessageStatus>> GetGroupReceiptsAsync(string groupId, byte[] messageId);

    /// <summary>Moves one of our group messages forward (never back); returns it if it changed.</summary>
    Task<GroupMessage?> AdvanceGroupMessageStatusAsync(string groupId, byte[] messageId, MessageStatus status);

    /// <summary>Keeps an envelope whose sender key has not arrived (ignored if the same sender and message id is already kept).</summary>
    Task AddPendingGroupEnvelopeAsync(PendingGroupEnvelope envelope);

    /// <summary>Removes and returns what is kept for one sender device, oldest first.</summary>
    Task<IReadOnlyList<PendingGroupEnvelope>> TakePendingGroupEnvelopesAsync(string senderAccountId, uint senderDevice);
}
