using System.Text.Json.Serialization;
using Parley.Client.Storage;

namespace Parley.Web.Storage;

// What one IndexedDB entry holds. Keys say where an entry belongs; values carry their own ids so
// that loading never has to parse a key.

internal sealed record PreKeyEntry(PreKeyKind Kind, uint Id, StoredPreKey Key);

internal sealed record DeviceRecordEntry(string Name, uint DeviceId, byte[] Record);

internal sealed record SenderKeyEntry(string Name, uint DeviceId, Guid DistributionId, byte[] Record);

internal sealed record ReceiptsEntry(string GroupId, byte[] MessageId, Dictionary<string, MessageStatus> States);

/// <summary>A message the user wrote while offline; sent (and removed) once the connection is back.</summary>
/// <param name="Chat">A phone number, or "group:" + group id.</param>
/// <param name="ReplyTo">The id of the message it replies to, or null (older outbox entries have none).</param>
public sealed record QueuedMessage(string Id, string Chat, string Text, long CreatedAt, byte[]? ReplyTo = null);

/// <summary>A line such as "+1555… added +1555…" in a group's timeline.</summary>
public sealed record GroupEventLine(string GroupId, string Text, long Timestamp);

/// <summary>Source-generated JSON (trim-safe in the published app).</summary>
[JsonSerializable(typeof(LocalAccount))]
[JsonSerializable(typeof(PreKeyEntry))]
[JsonSerializable(typeof(DeviceRecordEntry))]
[JsonSerializable(typeof(SenderKeyEntry))]
[JsonSerializable(typeof(Contact))]
[JsonSerializable(typeof(StoredMessage))]
[JsonSerializable(typeof(LocalGroup))]
[JsonSerializable(typeof(GroupMessage))]
[JsonSerializable(typeof(ReceiptsEntry))]
[JsonSerializable(typeof(PendingGroupEnvelope))]
[JsonSerializable(typeof(QueuedMessage))]
[JsonSerializable(typeof(GroupEventLine))]
[JsonSerializable(typeof(CallRecord))]
[JsonSerializable(typeof(long))]
internal sealed partial class PersistedJson : JsonSerializerContext;
