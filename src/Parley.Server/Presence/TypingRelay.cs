using Google.Protobuf;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Connections;
using Parley.Server.Groups;
using Parley.Server.Messages;
using Parley.Server.Privacy;

namespace Parley.Server.Presence;

/// <summary>Relays typing/recording indicators to the recipients' online devices; nothing is stored.</summary>
public sealed class TypingRelay(DeviceDirectory devices, EnvelopeNotifier notifier, PrivacyPolicy privacy, IGrainFactory grains)
{
    /// <summary>How long a client shows an indicator that is not refreshed.</summary>
    public const uint IndicatorLifetimeMs = 6000;

    public async Task<ServerFrame?> RelayAsync(DeviceAddress sender, SendTyping typing, CancellationToken cancellationToken)
    {
        var toGroup = !string.IsNullOrEmpty(typing.GroupId);
        if (toGroup == !string.IsNullOrEmpty(typing.RecipientAccount) || typing.State == TypingState.Unspecified)
        {
            return Frames.Error(ErrorCode.MalformedFrame, "Typing needs a state and exactly one of recipient_account or group_id.");
        }
        var frame = new ServerFrame
        {
            Typing = new TypingIndicator
            {
                FromAccount = sender.AccountId,
                FromDevice = (uint)sender.DeviceId,
                GroupId = typing.GroupId,
                State = typing.State,
                ExpiresInMs = IndicatorLifetimeMs,
            },
        }.ToByteArray();
        if (toGroup)
        {
            return await grains.GetGrain<IGroupGrain>(typing.GroupId).RelayTyping(sender.AccountId, sender.DeviceId, frame)
                ? null
                : Frames.Error(ErrorCode.NotAMember, "No such group, or you are not a member of it.");
        }
        var recipients = await devices.GetAsync(typing.RecipientAccount, cancellationToken);
        if (recipients.Count == 0)
        {
            return Frames.Error(ErrorCode.UnknownAccount, "No such account.");
        }
        if (await privacy.HasBlockedAsync(typing.RecipientAccount, sender.AccountId, cancellationToken))
        {
            return null; // silently dropped, like everything else from a blocked account
        }
        foreach (var device in recipients)
        {
            notifier.NotifyEphemeral(new DeviceAddress(typing.RecipientAccount, device.DeviceId), frame);
        }
        return null;
    }
}

/// <summary>
/// Per connection: at most one "typing" per chat every <see cref="MinInterval"/>, so a key-press
/// storm costs one frame per recipient; "stopped" always passes so indicators end promptly.
/// </summary>
public sealed class TypingThrottle(TimeProvider clock)
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, long> _lastSent = [];

    public bool Allow(SendTyping typing)
    {
        if (typing.State == TypingState.Stopped)
        {
            return true;
        }
        var chat = typing.GroupId + "|" + typing.RecipientAccount + "|" + typing.State;
        var now = clock.GetTimestamp();
        if (_lastSent.TryGetValue(chat, out var last) && clock.GetElapsedTime(last, now) < MinInterval)
        {
            return false;
        }
        if (_lastSent.Count > 256)
        {
            _lastSent.Clear();
        }
        _lastSent[chat] = now;
        return true;
    }
}
