using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>
/// The scenario model checked against libsignal alone: if a seed fails between Parley and
/// libsignal, it is Parley's fault, not an expectation the protocol never promised.
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class ScenarioModelTests(LibsignalHarness libsignal)
{
    [Fact]
    public async Task Random_conversations_between_two_libsignal_devices_meet_every_expectation_of_the_scenarios()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var alice = await LibsignalDevice.CreateAsync(libsignal, $"model-alice-{seed}-{Guid.NewGuid():N}");
            var bob = await LibsignalDevice.CreateAsync(libsignal, $"model-bob-{seed}-{Guid.NewGuid():N}");
            await new InteractionScenario(seed, alice, bob).RunAsync(steps: 60);
        }
    }
}
