using System.Text;
using Parley.Crypto;
using Parley.Crypto.Messages;
using Parley.Interop.Tests.Harness;
using Xunit.Abstractions;

namespace Parley.Interop.Tests.Groups;

/// <summary>Sender keys (SenderKeyDistributionMessage and SenderKeyMessage) between Parley.Crypto and libsignal.</summary>
[Collection(LibsignalCollection.Name)]
public sealed class SenderKeyInteropTests(LibsignalHarness libsignal, ITestOutputHelper output)
{
    private static readonly Guid Distribution = Guid.Parse("c0ffee00-1234-4abc-8def-00112233aabb");

    [Fact]
    public async Task Libsignal_processes_a_Parley_distribution_and_decrypts_its_group_messages_in_and_out_of_order()
    {
        var (parley, theirs) = await MembersAsync("parley-sends");
        await theirs.ProcessDistributionAsync(parley, await parley.CreateDistributionAsync(Distribution));

        var messages = new List<(string Text, byte[] Message)>();
        for (var i = 0; i < 30; i++)
        {
            var text = $"group message {i} from Parley";
            messages.Add((text, await parley.EncryptAsync(Distribution, Encoding.UTF8.GetBytes(text))));
        }

        // The first five in order, then the rest newest first, skipping every seventh (lost).
        foreach (var (text, message) in messages.Take(5).Concat(messages.Skip(5).Reverse().Where((_, i) => i % 7 != 3)))
        {
            Assert.Equal(text, Encoding.UTF8.GetString(await theirs.DecryptAsync(parley, message)));
        }
        await Assert.ThrowsAnyAsync<LibsignalException>(() => theirs.DecryptAsync(parley, messages[10].Message));
    }

    [Fact]
    public async Task Parley_processes_a_libsignal_distribution_and_decrypts_its_group_messages_in_and_out_of_order()
    {
        var (parley, theirs) = await MembersAsync("libsignal-sends");
        await parley.ProcessDistributionAsync(theirs, await theirs.CreateDistributionAsync(Distribution));

        var messages = new List<(string Text, byte[] Message)>();
        for (var i = 0; i < 30; i++)
        {
            var text = $"group message {i} from libsignal";
            messages.Add((text, await theirs.EncryptAsync(Distribution, Encoding.UTF8.GetBytes(text))));
        }

        foreach (var (text, message) in messages.Take(5).Concat(messages.Skip(5).Reverse().Where((_, i) => i % 7 != 3)))
        {
            Assert.Equal(text, Encoding.UTF8.GetString(await parley.DecryptAsync(theirs, message)));
        }
        var duplicate = await Assert.ThrowsAsync<SignalProtocolException>(() => parley.DecryptAsync(theirs, messages[10].Message));
        Assert.Equal(SignalError.DuplicateMessage, duplicate.Error);
    }

    [Fact]
    public async Task A_Parley_distribution_and_message_carry_the_ids_and_signature_libsignal_reads()
    {
        var (parley, theirs) = await MembersAsync("fields");
        var distribution = await parley.CreateDistributionAsync(Distribution);
        var processed = await libsignal.GroupProcessDistributionAsync(((LibsignalGroupMember)theirs).Party, parley.Name, parley.DeviceId, distribution);
        var parsed = SenderKeyDistributionMessage.Deserialize(distribution);

        await parley.EncryptAsync(Distribution, [1]);
        var second = await parley.EncryptAsync(Distribution, [2]);
        var read = await libsignal.InspectSenderKeyMessageAsync(second, parsed.SigningKey.Serialize());

        Assert.Equal(0x33, distribution[0]);
        Assert.Equal(0x33, second[0]);
        Assert.Equal(Distribution.ToString(), processed["distributionId"]!.GetValue<string>());
        Assert.Equal(parsed.ChainId, processed["chainId"]!.GetValue<uint>());
        Assert.Equal(Distribution.ToString(), read["distributionId"]!.GetValue<string>());
        Assert.Equal(parsed.ChainId, read["chainId"]!.GetValue<uint>());
        Assert.Equal(1u, read["iteration"]!.GetValue<uint>());
        Assert.True(read["signatureValid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_libsignal_distribution_is_read_by_Parley_with_the_same_ids()
    {
        var theirs = await LibsignalGroupMember.CreateAsync(libsignal, $"lib-fields-{Guid.NewGuid():N}");
        var distribution = SenderKeyDistributionMessage.Deserialize(await theirs.CreateDistributionAsync(Distribution));
        var message = SenderKeyMessage.Deserialize(await theirs.EncryptAsync(Distribution, [7]));

        Assert.Equal(Distribution, distribution.DistributionId);
        Assert.Equal(Distribution, message.DistributionId);
        Assert.Equal(distribution.ChainId, message.ChainId);
        Assert.Equal(0u, message.Iteration);
    }

    [Fact]
    public async Task A_Parley_group_message_with_a_flipped_bit_is_refused_by_libsignal_and_Parley_refuses_a_forged_libsignal_one()
    {
        var (parley, theirs) = await MembersAsync("tampered");
        await theirs.ProcessDistributionAsync(parley, await parley.CreateDistributionAsync(Distribution));
        await parley.ProcessDistributionAsync(theirs, await theirs.CreateDistributionAsync(Distribution));

        var random = new Random(4001);
        for (var i = 0; i < 10; i++)
        {
            foreach (var (from, to) in new (IGroupMember, IGroupMember)[] { (parley, theirs), (theirs, parley) })
            {
                var genuine = await from.EncryptAsync(Distribution, Encoding.UTF8.GetBytes($"genuine {i}"));
                var forged = (byte[])genuine.Clone();
                var bit = random.Next(8, forged.Length * 8);
                forged[bit / 8] ^= (byte)(1 << (bit % 8));

                await Assert.ThrowsAnyAsync<Exception>(() => to.DecryptAsync(from, forged));
                Assert.Equal($"genuine {i}", Encoding.UTF8.GetString(await to.DecryptAsync(from, genuine)));
            }
        }
    }

    [Fact]
    public async Task Random_group_conversations_of_Parley_and_libsignal_members_decrypt_everywhere_and_refuse_duplicates()
    {
        var failures = new List<string>();
        var (delivered, duplicates) = (0, 0);
        const int Scenarios = 60;
        for (var seed = 0; seed < Scenarios; seed++)
        {
            var id = $"{seed}-{Guid.NewGuid():N}";
            var members = new List<IGroupMember>
            {
                new ParleyGroupMember($"g-parley-a-{id}", 1),
                await LibsignalGroupMember.CreateAsync(libsignal, $"g-lib-a-{id}", 2),
                new ParleyGroupMember($"g-parley-b-{id}", 3),
                await LibsignalGroupMember.CreateAsync(libsignal, $"g-lib-b-{id}", 4),
            };
            var scenario = new GroupScenario(seed, members);
            try
            {
                await scenario.RunAsync(messages: 30);
                delivered += scenario.Delivered;
                duplicates += scenario.Duplicates;
            }
            catch (Sessions.ScenarioFailedException e)
            {
                failures.Add(e.Message);
            }
        }

        output.WriteLine($"{Scenarios} group scenarios: {delivered} deliveries, {duplicates} duplicates refused");
        Assert.True(failures.Count == 0, $"{failures.Count} of {Scenarios} group scenarios failed; the first:\n{failures.FirstOrDefault()}");
        Assert.True(delivered > Scenarios * 40 && duplicates > Scenarios, $"too little happened: {delivered} deliveries, {duplicates} duplicates");
    }

    private async Task<(ParleyGroupMember Parley, IGroupMember Libsignal)> MembersAsync(string test)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return (new ParleyGroupMember($"g-parley-{test}-{id}", 1), await LibsignalGroupMember.CreateAsync(libsignal, $"g-lib-{test}-{id}", 2));
    }
}
