using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>
/// A random conversation between two devices, modelled on the interleavings of libsignal's
/// <c>interaction</c> fuzz target: at each step one side (or both) sends, receives everything
/// queued for it, loses its newest incoming message, has its inbox reordered, archives its session,
/// or sees an old message replayed. A side without a usable session first fetches a fresh bundle
/// of the other (with a one-time prekey three times out of four), so sessions are re-initiated,
/// sometimes by both sides at once. Every delivered message must decrypt to what was sent;
/// every replay must be refused without harming the session.
/// The steps follow from the seed; key material is fresh randomness each run.
/// </summary>
public sealed class InteractionScenario
{
    /// <summary>libsignal keeps 40 archived states; the scenario archives less than that on purpose.</summary>
    private const int MaxArchives = 30;

    /// <summary>Below libsignal's 2000 skipped message keys, so losses never exceed a limit.</summary>
    private const int MaxInbox = 300;

    private readonly int _seed;
    private readonly Random _random;
    private readonly Side[] _sides;
    private readonly List<string> _trace = [];

    public InteractionScenario(int seed, ISignalDevice first, ISignalDevice second)
    {
        _seed = seed;
        _random = new Random(seed);
        _sides = [new Side(first), new Side(second)];
    }

    public int Delivered { get; private set; }

    public int Replayed { get; private set; }

    /// <summary>Bundles processed: the first session and every re-initiation after an archive.</summary>
    public int Initiations { get; private set; }

    /// <summary>Messages that were in an inbox when it was reordered.</summary>
    public int Reordered { get; private set; }

    public int Lost { get; private set; }

    public int Archived { get; private set; }

    public async Task RunAsync(int steps)
    {
        for (var step = 0; step < steps; step++)
        {
            var who = _random.Next(2);
            var (me, them) = (_sides[who], _sides[1 - who]);
            var roll = _random.Next(100);
            if (roll < 3) await ArchiveAsync(me, them);
            else if (roll < 25) await ReceiveAllAsync(me, them);
            else if (roll < 33) DropNewest(me);
            else if (roll < 39) Shuffle(me);
            else if (roll < 43) await ReplayAsync(me, them);
            else if (roll < 50)
            {
                Note($"{me} and {them} send in the same step");
                await SendAsync(me, them);
                await SendAsync(them, me);
            }
            else await SendAsync(me, them);
        }
        // Deliver whatever is left, both ways, so that no scenario ends without its last checks.
        await ReceiveAllAsync(_sides[0], _sides[1]);
        await ReceiveAllAsync(_sides[1], _sides[0]);
        await SendAsync(_sides[0], _sides[1]);
        await ReceiveAllAsync(_sides[1], _sides[0]);
        await SendAsync(_sides[1], _sides[0]);
        await ReceiveAllAsync(_sides[0], _sides[1]);
    }

    private async Task SendAsync(Side me, Side them)
    {
        if (them.Inbox.Count >= MaxInbox) return;
        if (!await Checked(me, "look up its session", () => me.Device.HasCurrentSessionAsync(them.Device)))
        {
            var withOneTimePreKey = _random.Next(4) != 0;
            Note($"{me} fetches a bundle of {them} ({(withOneTimePreKey ? "with" : "without")} one-time prekey) and processes it");
            var bundle = await Checked(them, "make a bundle", () => them.Device.NewBundleAsync(withOneTimePreKey));
            Initiations++;
            await Checked(me, "process the bundle", async () => { await me.Device.ProcessBundleAsync(them.Device, bundle); return true; });
        }
        var plaintext = new byte[_random.Next(140)];
        _random.NextBytes(plaintext);
        var message = await Checked(me, "encrypt", () => me.Device.EncryptAsync(them.Device, plaintext));
        var number = ++me.Sent;
        Note($"{me} sends #{number} ({(message.Type == WireMessage.PreKeyType ? "prekey message" : "message")}, {plaintext.Length} bytes)");
        them.Inbox.Add(new InFlight(number, message, plaintext));
    }

    private async Task ReceiveAllAsync(Side me, Side them)
    {
        if (me.Inbox.Count > 0) Note($"{me} receives {string.Join(", ", me.Inbox.Select(m => $"#{m.Number}"))}");
        foreach (var incoming in me.Inbox)
        {
            var plaintext = await Checked(me, $"decrypt #{incoming.Number} from {them}",
                () => me.Device.DecryptAsync(them.Device, incoming.Message));
            if (!plaintext.AsSpan().SequenceEqual(incoming.Plaintext))
            {
                Fail(me, $"decrypted #{incoming.Number} from {them} to {Convert.ToHexString(plaintext)}, " +
                    $"but {them} sent {Convert.ToHexString(incoming.Plaintext)}");
            }
            me.Received.Add(incoming);
            Delivered++;
        }
        me.Inbox.Clear();
    }

    private void DropNewest(Side me)
    {
        if (me.Inbox.Count == 0) return;
        Note($"{me} loses #{me.Inbox[^1].Number}");
        Lost++;
        me.Inbox.RemoveAt(me.Inbox.Count - 1);
    }

    private void Shuffle(Side me)
    {
        if (me.Inbox.Count < 2) return;
        _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(me.Inbox));
        Reordered += me.Inbox.Count;
        Note($"{me}'s inbox is reordered to {string.Join(", ", me.Inbox.Select(m => $"#{m.Number}"))}");
    }

    private async Task ReplayAsync(Side me, Side them)
    {
        // Only SignalMessages are replayed: a replayed PreKeySignalMessage whose session has since
        // been archived away legitimately starts a new session from a last-resort prekey.
        var candidates = me.Received.Where(m => m.Message.Type == WireMessage.SignalType).ToList();
        if (candidates.Count == 0) return;
        var replay = candidates[_random.Next(candidates.Count)];
        Note($"{me} gets #{replay.Number} again");
        try
        {
            await me.Device.DecryptAsync(them.Device, replay.Message);
        }
        catch (Exception) // refused, as it must be: the later steps check the session still works
        {
            Replayed++;
            return;
        }
        Fail(me, $"accepted a replay of #{replay.Number} from {them}");
    }

    private async Task ArchiveAsync(Side me, Side them)
    {
        if (me.Archives >= MaxArchives) return;
        me.Archives++;
        Archived++;
        Note($"{me} archives its session with {them}");
        await Checked(me, "archive its session", async () => { await me.Device.ArchiveSessionAsync(them.Device); return true; });
    }

    private async Task<T> Checked<T>(Side side, string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is not ScenarioFailedException)
        {
            Fail(side, $"failed to {what}: {e.Message}");
            throw; // unreachable
        }
    }

    private void Note(string step) => _trace.Add(step);

    private void Fail(Side side, string what)
    {
        var trace = string.Join("\n  ", _trace.TakeLast(40));
        throw new ScenarioFailedException(
            $"scenario seed {_seed}: {side} ({side.Device.Implementation}) {what}\n  last steps:\n  {trace}");
    }

    private sealed record InFlight(int Number, WireMessage Message, byte[] Plaintext);

    private sealed class Side(ISignalDevice device)
    {
        public ISignalDevice Device { get; } = device;

        public List<InFlight> Inbox { get; } = [];

        public List<InFlight> Received { get; } = [];

        public int Sent { get; set; }

        public int Archives { get; set; }

        public override string ToString() => Device.Name;
    }
}

public sealed class ScenarioFailedException(string message) : Exception(message);
