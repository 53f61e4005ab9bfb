using System.Globalization;
using Parley.Client.Messaging;
using Parley.Client.Storage;

namespace Parley.Bench;

/// <summary>
/// group --e2e: the group workload with full SDK clients. Each message is encrypted once with the
/// sender's Sender Key, fanned out by the server, and decrypted and stored by every other member
/// before its latency is taken. This measures the clients as much as the server.
/// </summary>
public sealed class EndToEndGroups(BenchOptions options)
{
    private long _warmupsReceived;
    private readonly SendTracker _sends = new();
    private readonly FanOutArrivals _arrivals = new(options.Members - 1);

    public async Task<RunSummary> RunAsync()
    {
        var groupCount = options.Users / options.Members;
        var clients = await SdkClients.RegisterAsync(options, groupCount * options.Members);
        try
        {
            return await MeasureAsync(clients, groupCount);
        }
        finally
        {
            await SdkClients.DisposeAllAsync(clients);
        }
    }

    private async Task<RunSummary> MeasureAsync(List<ParleyClient> clients, int groupCount)
    {
        Console.WriteLine($"creating {groupCount} groups of {options.Members}");
        var groups = await Task.WhenAll(Enumerable.Range(0, groupCount).Select(async g =>
        {
            var members = clients.Skip(g * options.Members).Take(options.Members).ToList();
            var created = await members[0].CreateGroupAsync($"bench {g}", members.Skip(1).Select(m => m.Number));
            return (Id: created.GroupId, Members: members);
        }));
        foreach (var client in clients)
        {
            client.GroupMessageReceived += OnGroupMessage;
        }

        // Warm-up: every member sends once, handing its sender key to the others over pairwise
        // sessions (prekey fetches, PQXDH), so the measured messages are one Sender Key message each.
        var warmups = groups.Sum(g => g.Members.Count);
        await Task.WhenAll(groups.Select(async group =>
        {
            foreach (var member in group.Members)
            {
                await member.SendGroupTextAsync(group.Id, "warm-up");
            }
        }));
        await Traffic.WaitUntilAsync(() => Interlocked.Read(ref _warmupsReceived) >= warmups * (options.Members - 1), TimeSpan.FromSeconds(60));

        var total = (long)(options.Rate * options.Seconds);
        _arrivals.Expect(total);
        var expected = total * (options.Members - 1);
        var padding = new string('x', Math.Max(0, options.Payload - 40));
        var measurement = Measurement.Start(options.ServerPid);
        Console.WriteLine($"sending {total} encrypted group messages of ~{options.Payload} bytes at {options.Rate}/s for {options.Seconds} s ({expected} deliveries)");
        var sendLag = await Traffic.ScheduleAsync(total, options.Rate, (k, scheduled) =>
        {
            var (groupId, members) = groups[(int)(k % groups.Length)];
            var sender = members[(int)(k / groups.Length % members.Count)];
            _ = SendAsync(sender, groupId, string.Create(CultureInfo.InvariantCulture, $"{scheduled} {k} {padding}"));
        });
        await Traffic.WaitUntilAsync(() => _sends.Outstanding == 0 && _arrivals.Received >= _sends.Sent * (options.Members - 1),
            Traffic.DrainTimeout);
        var resources = measurement.Stop();
        var sent = _sends.Sent;
        var summary = RunSummary.Create("group", options, total, sent, _sends.Errors, _arrivals.Received,
            sent * (options.Members - 1), _arrivals.Latency.Summarize(), _arrivals.LastRecipient.Summarize(), resources, sendLag);
        summary.Print();
        return summary;
    }

    private void OnGroupMessage(GroupMessage message)
    {
        if (message.Direction != MessageDirection.Incoming)
        {
            return;
        }
        var parts = message.Text.Split(' ', 3);
        if (parts.Length < 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var scheduled)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            Interlocked.Increment(ref _warmupsReceived);
            return;
        }
        _arrivals.Record(scheduled, sequence);
    }

    private Task SendAsync(ParleyClient sender, string groupId, string text) =>
        _sends.TrackAsync(() => sender.SendGroupTextAsync(groupId, text));
}
