using System.Text;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Groups;

/// <summary>
/// A member that rotates its sender key six times (as after members leave): receivers keep the
/// five newest chains of a sender, so a late message under the oldest chain is refused. A Parley
/// receiver and a libsignal receiver must agree on every message, whoever the sender is.
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class SenderKeyRotationTests(LibsignalHarness libsignal)
{
    private const int Rotations = 6;
    private const string Expected = "#0 refused, #1 accepted, #2 accepted, #3 accepted, #4 accepted, #5 accepted";
    private static readonly Guid Distribution = Guid.Parse("0badcafe-0000-4000-8000-1234567890ab");

    [Fact]
    public async Task After_six_rotations_of_a_libsignal_sender_Parley_and_libsignal_receivers_keep_the_same_five_chains()
    {
        var name = $"rot-lib-sender-{Guid.NewGuid():N}";
        var sender = await LibsignalGroupMember.CreateAsync(libsignal, name, 5);
        var chains = new List<(byte[] Distribution, byte[] Message)>();
        for (var r = 0; r < Rotations; r++)
        {
            if (r > 0) await libsignal.SendAsync(LibsignalCommands.Command("groupForget", ("party", name), ("distributionId", Distribution.ToString())));
            var distribution = await sender.CreateDistributionAsync(Distribution);
            chains.Add((distribution, await sender.EncryptAsync(Distribution, Encoding.UTF8.GetBytes($"chain {r}"))));
        }

        await AssertReceiversAgreeAsync(sender, chains);
    }

    [Fact]
    public async Task After_six_rotations_of_a_Parley_sender_Parley_and_libsignal_receivers_keep_the_same_five_chains()
    {
        var name = $"rot-parley-sender-{Guid.NewGuid():N}";
        IGroupMember sender = new ParleyGroupMember(name, 5);
        var chains = new List<(byte[] Distribution, byte[] Message)>();
        for (var r = 0; r < Rotations; r++)
        {
            // A fresh store for the same device: its next distribution starts a new chain.
            if (r > 0) sender = new ParleyGroupMember(name, 5);
            var distribution = await sender.CreateDistributionAsync(Distribution);
            chains.Add((distribution, await sender.EncryptAsync(Distribution, Encoding.UTF8.GetBytes($"chain {r}"))));
        }

        await AssertReceiversAgreeAsync(sender, chains);
    }

    private async Task AssertReceiversAgreeAsync(IGroupMember sender, List<(byte[] Distribution, byte[] Message)> chains)
    {
        var receivers = new IGroupMember[]
        {
            await LibsignalGroupMember.CreateAsync(libsignal, $"rot-lib-receiver-{Guid.NewGuid():N}", 1),
            new ParleyGroupMember($"rot-parley-receiver-{Guid.NewGuid():N}", 1),
        };
        foreach (var receiver in receivers)
        {
            foreach (var (distribution, _) in chains) await receiver.ProcessDistributionAsync(sender, distribution);

            var outcomes = new List<string>();
            for (var r = 0; r < chains.Count; r++)
            {
                string outcome;
                try
                {
                    var text = Encoding.UTF8.GetString(await receiver.DecryptAsync(sender, chains[r].Message));
                    outcome = text == $"chain {r}" ? "accepted" : $"garbled to '{text}'";
                }
                catch (Exception)
                {
                    outcome = "refused";
                }
                outcomes.Add($"#{r} {outcome}");
            }
            Assert.True(Expected == string.Join(", ", outcomes),
                $"{receiver.Implementation} receiving from {sender.Implementation}: {string.Join(", ", outcomes)}; expected {Expected}");
        }
    }
}
