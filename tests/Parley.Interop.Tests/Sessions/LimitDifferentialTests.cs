using System.Text;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>
/// The protocol's limits, played the same way against a Parley receiver and a libsignal receiver.
/// libsignal keeps 2,000 skipped message keys per chain and 5 receiving chains per session, and
/// allows a chain to jump 25,000 messages.
/// Each libsignal receiver here talks to a Parley sender and vice versa, so both sessions run the
/// classic Double Ratchet: between two libsignal 0.90 parties SPQR would be negotiated, whose own
/// chain limits differ (it refuses a jump of exactly 25,000).
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class LimitDifferentialTests(LibsignalHarness libsignal)
{
    private const int Count = 2105;

    // Newest first (which stores keys for all 2,104 earlier ones, 2,000 of them kept), then old
    // ones around the eviction edge, then the newest again (a duplicate).
    private static readonly int[] Pattern = [Count - 1, 0, 1, 50, Count - 2002, Count - 2001, Count - 2000, 1000, Count - 2, Count - 1];

    private const string Expected =
        "#2104 accepted, #0 refused, #1 refused, #50 refused, #103 refused, #104 accepted, #105 accepted, #1000 accepted, #2103 accepted, #2104 refused";

    [Fact]
    public async Task A_libsignal_receiver_keeps_exactly_the_newest_2000_skipped_keys_of_a_long_Parley_sending_chain()
    {
        var outcomes = await OutcomesAsync(new ParleyDevice($"parley-sender-{Guid.NewGuid():N}"), await NewLibsignalAsync("receiver"));

        Assert.Equal(Expected, outcomes);
    }

    [Fact]
    public async Task A_Parley_receiver_refuses_skipped_messages_past_the_key_limit_exactly_where_libsignal_does()
    {
        var outcomes = await OutcomesAsync(await NewLibsignalAsync("sender"), new ParleyDevice($"parley-receiver-{Guid.NewGuid():N}"));

        Assert.Equal(Expected, outcomes);
    }

    [Theory]
    [InlineData(25_000)]
    [InlineData(25_001)]
    public async Task A_message_far_ahead_in_its_chain_is_accepted_or_refused_by_Parley_as_by_libsignal(int skipped)
    {
        // libsignal receives from Parley...
        var parley = new ParleyDevice($"parley-jump-sender-{Guid.NewGuid():N}");
        var libsignalReceiver = await NewLibsignalAsync("jump-receiver");
        await EstablishAsync(parley, libsignalReceiver);
        for (var i = 0; i < skipped; i++) await parley.EncryptAsync(libsignalReceiver, [0]);
        var far = await parley.EncryptAsync(libsignalReceiver, Encoding.UTF8.GetBytes("far ahead"));
        var next = await parley.EncryptAsync(libsignalReceiver, Encoding.UTF8.GetBytes("next"));
        var byLibsignal = $"far: {await TryAsync(libsignalReceiver, parley, far, "far ahead")}, next: {await TryAsync(libsignalReceiver, parley, next, "next")}";

        // ...and Parley from libsignal, the same distance ahead.
        var sender = (LibsignalDevice)await NewLibsignalAsync("jump-sender");
        var parleyReceiver = new ParleyDevice($"parley-jump-receiver-{Guid.NewGuid():N}");
        await EstablishAsync(sender, parleyReceiver);
        far = await libsignal.EncryptAsync(sender.Party, parleyReceiver.Name, parleyReceiver.DeviceId, Encoding.UTF8.GetBytes("far ahead"), discard: skipped);
        next = await sender.EncryptAsync(parleyReceiver, Encoding.UTF8.GetBytes("next"));
        var byParley = $"far: {await TryAsync(parleyReceiver, sender, far, "far ahead")}, next: {await TryAsync(parleyReceiver, sender, next, "next")}";

        Assert.Equal(skipped <= 25_000 ? "far: accepted, next: accepted" : "far: refused, next: refused", byLibsignal);
        Assert.Equal(byLibsignal, byParley);
    }

    [Fact]
    public async Task Late_messages_from_old_ratchet_chains_are_accepted_or_refused_by_Parley_as_by_libsignal()
    {
        var byLibsignal = await LateChainOutcomesAsync(new ParleyDevice($"parley-chains-sender-{Guid.NewGuid():N}"), await NewLibsignalAsync("chains-receiver"));
        var byParley = await LateChainOutcomesAsync(await NewLibsignalAsync("chains-sender"), new ParleyDevice($"parley-chains-receiver-{Guid.NewGuid():N}"));

        Assert.Contains("accepted", byLibsignal);
        Assert.Contains("refused", byLibsignal);
        Assert.Equal(byLibsignal, byParley);
    }

    /// <summary>
    /// Seven ratchet turns; in each the sender holds back its first message of the new chain.
    /// The held-back messages then arrive, oldest first: only chains the receiver still keeps decrypt.
    /// </summary>
    private static async Task<string> LateChainOutcomesAsync(ISignalDevice sender, ISignalDevice receiver)
    {
        await EstablishAsync(sender, receiver);
        var late = new List<WireMessage>();
        for (var chain = 0; chain < 7; chain++)
        {
            late.Add(await sender.EncryptAsync(receiver, Encoding.UTF8.GetBytes($"late {chain}")));
            await receiver.DecryptAsync(sender, await sender.EncryptAsync(receiver, Encoding.UTF8.GetBytes($"on time {chain}")));
            await sender.DecryptAsync(receiver, await receiver.EncryptAsync(sender, Encoding.UTF8.GetBytes($"reply {chain}")));
        }

        var outcomes = new List<string>();
        for (var chain = 0; chain < late.Count; chain++)
        {
            outcomes.Add($"chain {chain}: {await TryAsync(receiver, sender, late[chain], $"late {chain}")}");
        }
        return string.Join(", ", outcomes);
    }

    private async Task<string> OutcomesAsync(ISignalDevice sender, ISignalDevice receiver)
    {
        await EstablishAsync(sender, receiver);
        var messages = new List<WireMessage>();
        for (var i = 0; i < Count; i++)
        {
            messages.Add(await sender.EncryptAsync(receiver, Encoding.UTF8.GetBytes($"message {i}")));
        }

        var outcomes = new List<string>();
        foreach (var i in Pattern)
        {
            outcomes.Add($"#{i} {await TryAsync(receiver, sender, messages[i], $"message {i}")}");
        }
        return string.Join(", ", outcomes);
    }

    /// <summary>A session in which the sender's next messages start a fresh sending chain at counter 0.</summary>
    private static async Task EstablishAsync(ISignalDevice sender, ISignalDevice receiver)
    {
        await sender.ProcessBundleAsync(receiver, await receiver.NewBundleAsync(true));
        await receiver.DecryptAsync(sender, await sender.EncryptAsync(receiver, [1]));
        await sender.DecryptAsync(receiver, await receiver.EncryptAsync(sender, [2]));
    }

    private static async Task<string> TryAsync(ISignalDevice receiver, ISignalDevice sender, WireMessage message, string expected)
    {
        try
        {
            var plaintext = Encoding.UTF8.GetString(await receiver.DecryptAsync(sender, message));
            return plaintext == expected ? "accepted" : $"garbled to '{plaintext}'";
        }
        catch (Exception)
        {
            return "refused";
        }
    }

    private async Task<ISignalDevice> NewLibsignalAsync(string role) =>
        await LibsignalDevice.CreateAsync(libsignal, $"limits-{role}-{Guid.NewGuid():N}");
}
