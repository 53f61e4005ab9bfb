using Parley.Client.Storage;

namespace Parley.Client.Messaging;

/// <summary>
/// A peer's identity key changed (they re-registered or reinstalled, or someone is in the
/// middle): the UI must say "your safety number with X changed". Under Parley's trust policy the
/// new key is accepted and recorded; the chat stays flagged (<see cref="Contact.IdentityChangedAt"/>).
/// </summary>
public sealed record IdentityChangedEvent(string Number, string AccountId, uint DeviceId);

/// <summary>An incoming envelope could not be decrypted; it was acked and dropped so it cannot block the queue.</summary>
public sealed record DecryptionFailedEvent(string SenderAccountId, uint SenderDevice, string Reason);
