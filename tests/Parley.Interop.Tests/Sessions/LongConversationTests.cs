using System.Text;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>
/// One long conversation over a bad network, spelled out rather than random: bursts from both
/// sides cross in flight, arrive shuffled within a window, a tenth never arrive and some arrive
/// twice. Every first arrival must decrypt, every second one must be refused.
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class LongConversationTests(LibsignalHarness libsignal)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_long_conversation_with_crossing_bursts_reordering_loss_and_duplicates_stays_readable_on_both_sides(bool parleyStarts)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        ISignalDevice parley = new ParleyDevice($"long-parley-{id}");
        ISignalDevice theirs = await LibsignalDevice.CreateAsync(libsignal, $"long-libsignal-{id}");
        var (starter, other) = parleyStarts ? (parley, theirs) : (theirs, parley);
        await starter.ProcessBundleAsync(other, await other.NewBundleAsync(withOneTimePreKey: true));

        var random = new Random(parleyStarts ? 6001 : 6002);
        var inFlight = new List<(ISignalDevice From, ISignalDevice To, string Text, WireMessage Message)>();
        var delivered = new List<(ISignalDevice From, ISignalDevice To, WireMessage Message)>();
        var (sent, accepted, lost, refused) = (0, 0, 0, 0);

        for (var round = 0; round < 40; round++)
        {
            // Both sides send a burst before anything arrives (the other side once it has a session).
            foreach (var (from, to) in new[] { (starter, other), (other, starter) })
            {
                if (!await from.HasCurrentSessionAsync(to)) continue;
                for (var i = random.Next(1, 8); i > 0; i--)
                {
                    var text = $"{from.Implementation} #{++sent}";
                    inFlight.Add((from, to, text, await from.EncryptAsync(to, Encoding.UTF8.GetBytes(text))));
                }
            }

            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(inFlight));
            // Most of what is in flight arrives now; the rest waits for a later round.
            var arriving = inFlight.Where(_ => random.Next(4) != 0).ToList();
            if (round == 39) arriving = [.. inFlight];
            foreach (var message in arriving)
            {
                inFlight.Remove(message);
                if (random.Next(10) == 0)
                {
                    lost++;
                    continue;
                }
                var plaintext = await message.To.DecryptAsync(message.From, message.Message);
                Assert.Equal(message.Text, Encoding.UTF8.GetString(plaintext));
                delivered.Add((message.From, message.To, message.Message));
                accepted++;
            }

            for (var i = random.Next(3); i > 0 && delivered.Count > 0; i--)
            {
                var again = delivered[random.Next(delivered.Count)];
                if (again.Message.Type != WireMessage.SignalType) continue;
                await Assert.ThrowsAnyAsync<Exception>(() => again.To.DecryptAsync(again.From, again.Message));
                refused++;
            }
        }

        Assert.True(accepted > 200 && lost > 10 && refused > 10, $"{sent} sent, {accepted} accepted, {lost} lost, {refused} duplicates refused");
    }
}
