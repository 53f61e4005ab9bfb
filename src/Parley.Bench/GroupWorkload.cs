using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;

namespace Parley.Bench;

/// <summary>
/// N/M groups of M members; group messages at a constant total rate (open loop), each sent by the
/// next member in turn and fanned out by the server to the other M-1. Reports deliveries/s, the
/// latency of every delivery and the time until a message reached its last recipient.
/// </summary>
public sealed class GroupWorkload(BenchOptions options)
{
    private readonly SendTracker _sends = new();
    private readonly FanOutArrivals _arrivals = new(options.Members - 1);

    public async Task<RunSummary> RunAsync()
    {
        if (options.Members < 2 || options.Users < options.Members)
        {
            throw new ArgumentException("group needs --members >= 2 and --users >= --members.");
        }
        if (options.EndToEnd)
        {
            return await new EndToEndGroups(options).RunAsync();
        }
        var groupCount = options.Users / options.Members;
        var users = await Provisioning.AccountsAsync(options, groupCount * options.Members);
        var api = ParleyApi.ForServer(options.Server);
        Console.WriteLine($"connecting {users.Count} clients, creating {groupCount} groups of {options.Members}");
        await Traffic.ConnectAllAsync(users, options.Server);
        var groups = await Task.WhenAll(Enumerable.Range(0, groupCount).Select(async g =>
        {
            var members = users.Skip(g * options.Members).Take(options.Members).ToList();
            var created = await api.CreateGroupAsync(members[0].Credentials,
                new CreateGroupRequest($"bench {g}", [.. members.Skip(1).Select(m => m.Credentials.AccountId)]));
            return (Id: created.GroupId, Members: members);
        }));
        using var stop = new CancellationTokenSource();
        var receivers = users.Select(u => Traffic.DrainAsync(u.Connection!, OnEnvelope, stop.Token)).ToList();
        // The creation events go out to every member first; let them drain so they don't count as fan-out.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var total = (long)(options.Rate * options.Seconds);
        _arrivals.Expect(total);
        var expected = total * (options.Members - 1);
        var measurement = Measurement.Start(options.ServerPid);
        Console.WriteLine($"sending {total} group messages of {options.Payload} bytes at {options.Rate}/s for {options.Seconds} s ({expected} deliveries)");
        var payload = RandomNumberGenerator.GetBytes(options.Payload);
        var sendLag = await Traffic.ScheduleAsync(total, options.Rate, (k, scheduled) =>
        {
            var (groupId, members) = groups[(int)(k % groups.Length)];
            var sender = members[(int)(k / groups.Length % members.Count)];
            _ = SendAsync(sender, groupId, Traffic.Stamp(payload, scheduled, k));
        });
        await Traffic.WaitUntilAsync(() => _sends.Outstanding == 0 && _arrivals.Received >= _sends.Sent * (options.Members - 1),
            Traffic.DrainTimeout);
        var resources = measurement.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(receivers);
        var sent = _sends.Sent;
        var summary = RunSummary.Create("group", options, total, sent, _sends.Errors, _arrivals.Received,
            sent * (options.Members - 1), _arrivals.Latency.Summarize(), _arrivals.LastRecipient.Summarize(), resources, sendLag);
        summary.Print();
        await Task.WhenAll(users.Select(u => u.Connection!.DisposeAsync().AsTask()));
        return summary;
    }

    private void OnEnvelope(Envelope envelope)
    {
        if (envelope.Type != EnvelopeType.SenderKeyMessage || Traffic.ReadStamp(envelope.Content.Span) is not (var scheduled, var sequence))
        {
            return;
        }
        _arrivals.Record(scheduled, sequence);
    }

    private Task SendAsync(BenchUser sender, string groupId, byte[] content) =>
        _sends.TrackAsync(() => sender.Connection!.RequestAsync(new ClientFrame
        {
            SendGroup = new SendGroupMessage
            {
                GroupId = groupId,
                MessageId = UnsafeByteOperations.UnsafeWrap(RandomNumberGenerator.GetBytes(16)),
                ClientTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Content = UnsafeByteOperations.UnsafeWrap(content),
            },
        }));
}
