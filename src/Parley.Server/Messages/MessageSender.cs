using Google.Protobuf;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Privacy;

namespace Parley.Server.Messages;

/// <summary>
/// The send path: checks a message against the recipient's current devices, stores one envelope
/// per device durably, then pushes them to whichever devices are online.
/// </summary>
public sealed class MessageSender(DeviceDirectory devices, EnvelopeWriter writer, PrivacyPolicy privacy, TimeProvider clock)
{
    /// <summary>
    /// Validates the message and, when it is acceptable, starts storing it. The returned task
    /// completes once the envelopes are durable (answer "sent") or with the error to answer.
    /// Storing is enqueued before this method returns, so calls made in order are stored in order.
    /// </summary>
    public async Task<Task<ServerFrame>> SendAsync(DeviceAddress sender, SendMessage message, CancellationToken cancellationToken)
    {
        if (Validate(message) is { } invalid)
        {
            return Task.FromResult(invalid);
        }
        var recipientDevices = await devices.GetAsync(message.DestinationAccount, cancellationToken);
        if (recipientDevices.Count == 0)
        {
            return Task.FromResult(Frames.Error(ErrorCode.UnknownAccount, "No such account."));
        }
        if (CheckDevices(sender, message, recipientDevices) is { } mismatch)
        {
            return Task.FromResult(mismatch);
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (await privacy.HasBlockedAsync(message.DestinationAccount, sender.AccountId, cancellationToken))
        {
            // Blocked: answered like any accepted message (the sender sees one tick and is not told), but never
            // stored, so not even unblocking delivers it.
            return Task.FromResult(new ServerFrame { SendResult = new SendResult { ServerTimestamp = now } });
        }
        var expiresAt = now + (long)EnvelopeStore.Retention.TotalMilliseconds;
        var messageId = message.MessageId.ToByteArray();
        var envelopes = new StoredEnvelope[message.Ciphertexts.Count];
        for (var i = 0; i < envelopes.Length; i++)
        {
            var ciphertext = message.Ciphertexts[i];
            envelopes[i] = new StoredEnvelope(0, new DeviceAddress(message.DestinationAccount, (int)ciphertext.DeviceId),
                ciphertext.Type, sender.AccountId, sender.DeviceId, messageId, message.ClientTimestamp, now,
                ciphertext.Content.ToByteArray(), [], expiresAt);
        }
        return StoreAndDeliverAsync(writer.InsertAsync(envelopes), now);
    }

    private static async Task<ServerFrame> StoreAndDeliverAsync(Task<IReadOnlyList<StoredEnvelope>> storing, long now)
    {
        var stored = await storing;
        var result = new SendResult { ServerTimestamp = now };
        foreach (var envelope in stored)
        {
            result.EnvelopeIds.Add((ulong)envelope.Id);
        }
        return new ServerFrame { SendResult = result };
    }

    private static ServerFrame? Validate(SendMessage message)
    {
        if (!Guid.TryParse(message.DestinationAccount, out _))
        {
            return Frames.Error(ErrorCode.MalformedFrame, "destination_account must be an account id (UUID).");
        }
        if (message.MessageId.Length != StoredEnvelope.MessageIdLength)
        {
            return Frames.Error(ErrorCode.MalformedFrame, "message_id must be 16 bytes.");
        }
        if (message.Ciphertexts.Count is 0 or > MessageLimits.MaxDevicesPerMessage)
        {
            return Frames.Error(ErrorCode.MalformedFrame, $"A message needs 1 to {MessageLimits.MaxDevicesPerMessage} ciphertexts.");
        }
        foreach (var ciphertext in message.Ciphertexts)
        {
            if (ciphertext.Type is not (EnvelopeType.Ciphertext or EnvelopeType.PrekeyMessage))
            {
                return Frames.Error(ErrorCode.MalformedFrame, "A ciphertext's type must be CIPHERTEXT or PREKEY_MESSAGE.");
            }
            if (ciphertext.Content.IsEmpty)
            {
                return Frames.Error(ErrorCode.MalformedFrame, "A ciphertext must not be empty.");
            }
            if (ciphertext.Content.Length > MessageLimits.MaxCiphertextBytes)
            {
                return Frames.Error(ErrorCode.TooLarge, $"A ciphertext may be at most {MessageLimits.MaxCiphertextBytes} bytes.");
            }
        }
        return null;
    }

    /// <summary>
    /// The sender must encrypt for exactly the recipient's current devices (and, writing to itself,
    /// for its other devices): anything else means its device list is out of date. Checked without
    /// allocating (a few devices at most, so nested loops); only a mismatch builds the detailed answer.
    /// </summary>
    private static ServerFrame? CheckDevices(DeviceAddress sender, SendMessage message, IReadOnlyList<DeviceRegistration> devices)
    {
        var toSelf = message.DestinationAccount == sender.AccountId;
        var expected = 0;
        for (var i = 0; i < devices.Count; i++) // indexed: foreach over the interface would box an enumerator
        {
            expected += toSelf && devices[i].DeviceId == sender.DeviceId ? 0 : 1;
        }
        var ciphertexts = message.Ciphertexts;
        if (ciphertexts.Count != expected)
        {
            return DescribeMismatch(sender, message, devices);
        }
        for (var i = 0; i < ciphertexts.Count; i++)
        {
            var ciphertext = ciphertexts[i];
            if (!IsCurrent(ciphertext, devices, toSelf ? sender.DeviceId : -1) || RepeatsAnEarlierDevice(ciphertexts, i))
            {
                return DescribeMismatch(sender, message, devices);
            }
        }
        return null; // as many distinct devices as expected, each one of them: exactly the expected set
    }

    private static bool IsCurrent(DeviceCiphertext ciphertext, IReadOnlyList<DeviceRegistration> devices, int excludedDevice)
    {
        for (var i = 0; i < devices.Count; i++)
        {
            if ((uint)devices[i].DeviceId == ciphertext.DeviceId)
            {
                return devices[i].DeviceId != excludedDevice && devices[i].RegistrationId == (int)ciphertext.RegistrationId;
            }
        }
        return false;
    }

    private static bool RepeatsAnEarlierDevice(IReadOnlyList<DeviceCiphertext> ciphertexts, int index)
    {
        for (var j = 0; j < index; j++)
        {
            if (ciphertexts[j].DeviceId == ciphertexts[index].DeviceId)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>What exactly is wrong with the devices a message was encrypted for.</summary>
    private static ServerFrame? DescribeMismatch(DeviceAddress sender, SendMessage message, IReadOnlyList<DeviceRegistration> devices)
    {
        var toSelf = message.DestinationAccount == sender.AccountId;
        var expected = devices.Where(d => !(toSelf && d.DeviceId == sender.DeviceId)).ToDictionary(d => (uint)d.DeviceId, d => d.RegistrationId);
        var provided = message.Ciphertexts.Select(c => c.DeviceId).ToList();
        if (provided.Count != provided.Distinct().Count())
        {
            return Frames.Error(ErrorCode.MalformedFrame, "Each device may appear only once in a message.");
        }
        var missing = expected.Keys.Except(provided).Order().ToList();
        var extra = provided.Where(id => !expected.ContainsKey(id)).Order().ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var error = Frames.Error(ErrorCode.MismatchedDevices, "The recipient's devices changed; fetch its keys and encrypt again.");
            error.Error.MissingDevices.AddRange(missing);
            error.Error.ExtraDevices.AddRange(extra);
            return error;
        }
        var stale = message.Ciphertexts.Where(c => expected[c.DeviceId] != (int)c.RegistrationId).Select(c => c.DeviceId).Order().ToList();
        if (stale.Count > 0)
        {
            var error = Frames.Error(ErrorCode.StaleDevices, "Some devices were re-registered; start new sessions with them.");
            error.Error.StaleDevices.AddRange(stale);
            return error;
        }
        return null;
    }
}
