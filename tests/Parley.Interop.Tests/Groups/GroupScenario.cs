namespace Parley.Interop.Tests.Groups;

/// <summary>
/// A seeded sender-key conversation: every member sends its distribution to every other member,
/// then members send group messages that reach each receiver reordered, late, lost or twice.
/// Every first delivery must decrypt to what was sent; every second delivery must be refused.
/// </summary>
public sealed class GroupScenario(int seed, IReadOnlyList<IGroupMember> members)
{
    private readonly Random _random = new(seed);
    private readonly List<string> _trace = [];

    public int Delivered { get; private set; }

    public int Duplicates { get; private set; }

    public async Task RunAsync(int messages)
    {
        // A version-4 UUID (libsignal checks) whose bytes are not symmetric, so byte-order slips show.
        var distributionId = Guid.Parse($"{seed:x8}-5eed-4702-8c3d-0123456789ab");
        foreach (var sender in members)
        {
            var distribution = await Checked(sender, "create its distribution", () => sender.CreateDistributionAsync(distributionId));
            foreach (var receiver in members.Where(m => m != sender))
            {
                await Checked(receiver, $"process the distribution of {sender.Name}", async () =>
                {
                    await receiver.ProcessDistributionAsync(sender, distribution);
                    return true;
                });
            }
        }

        // Each receiver has its own in-flight queue per sender: the network reorders per receiver.
        var inboxes = members.ToDictionary(m => m, _ => new List<(IGroupMember From, int Number, byte[] Message, byte[] Plaintext)>());
        var delivered = members.ToDictionary(m => m, _ => new List<(IGroupMember From, int Number, byte[] Message)>());
        var sent = 0;
        while (sent < messages || inboxes.Values.Any(i => i.Count > 0))
        {
            var roll = _random.Next(100);
            if (sent < messages && roll < 45)
            {
                var sender = members[_random.Next(members.Count)];
                var plaintext = new byte[_random.Next(1, 200)];
                _random.NextBytes(plaintext);
                var message = await Checked(sender, "encrypt", () => sender.EncryptAsync(distributionId, plaintext));
                var number = ++sent;
                _trace.Add($"{sender.Name} sends #{number}");
                foreach (var receiver in members.Where(m => m != sender))
                {
                    if (_random.Next(10) == 0) _trace.Add($"  #{number} is lost on its way to {receiver.Name}");
                    else inboxes[receiver].Insert(_random.Next(inboxes[receiver].Count + 1), (sender, number, message, plaintext));
                }
                continue;
            }

            var member = members[_random.Next(members.Count)];
            if (roll < 92 && inboxes[member].Count > 0)
            {
                var (from, number, message, expected) = inboxes[member][0];
                inboxes[member].RemoveAt(0);
                _trace.Add($"{member.Name} receives #{number} from {from.Name}");
                var plaintext = await Checked(member, $"decrypt #{number} from {from.Name}", () => member.DecryptAsync(from, message));
                if (!plaintext.AsSpan().SequenceEqual(expected))
                {
                    Fail(member, $"decrypted #{number} to {Convert.ToHexString(plaintext)}, expected {Convert.ToHexString(expected)}");
                }
                delivered[member].Add((from, number, message));
                Delivered++;
            }
            else if (roll >= 92 && delivered[member].Count > 0)
            {
                var (from, number, message) = delivered[member][_random.Next(delivered[member].Count)];
                _trace.Add($"{member.Name} gets #{number} from {from.Name} again");
                try
                {
                    await member.DecryptAsync(from, message);
                }
                catch (Exception)
                {
                    Duplicates++;
                    continue;
                }
                Fail(member, $"accepted #{number} from {from.Name} twice");
            }
        }
    }

    private async Task<T> Checked<T>(IGroupMember member, string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is not Sessions.ScenarioFailedException)
        {
            Fail(member, $"failed to {what}: {e.Message}");
            throw; // unreachable
        }
    }

    private void Fail(IGroupMember member, string what) =>
        throw new Sessions.ScenarioFailedException(
            $"group scenario seed {seed}: {member.Name} ({member.Implementation}) {what}\n  last steps:\n  {string.Join("\n  ", _trace.TakeLast(40))}");
}
