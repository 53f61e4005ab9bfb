using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Groups;

/// <summary>The group scenario's expectations hold among libsignal devices alone.</summary>
[Collection(LibsignalCollection.Name)]
public sealed class GroupScenarioModelTests(LibsignalHarness libsignal)
{
    [Fact]
    public async Task Random_group_conversations_among_libsignal_devices_meet_every_expectation_of_the_scenarios()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var members = new List<IGroupMember>();
            for (var i = 0; i < 3; i++)
            {
                members.Add(await LibsignalGroupMember.CreateAsync(libsignal, $"gmodel-{seed}-{i}-{Guid.NewGuid():N}", (uint)(i + 1)));
            }
            var scenario = new GroupScenario(seed, members);
            await scenario.RunAsync(messages: 40);
            Assert.True(scenario.Delivered > 0 && scenario.Duplicates > 0, $"seed {seed} delivered {scenario.Delivered}, replayed {scenario.Duplicates}");
        }
    }
}
