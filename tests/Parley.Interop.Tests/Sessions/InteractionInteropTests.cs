using Parley.Interop.Tests.Harness;
using Xunit.Abstractions;

namespace Parley.Interop.Tests.Sessions;

/// <summary>
/// Seeded random conversations (see <see cref="InteractionScenario"/>) between a Parley device and
/// a libsignal device: 1,040 scenarios in four batches, Parley on either side. A failure names the
/// seed and the steps that led to it; rerunning that seed replays the same steps.
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class InteractionInteropTests(LibsignalHarness libsignal, ITestOutputHelper output)
{
    private const int ScenariosPerBatch = 260;
    private const int Steps = 50;

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public async Task Random_conversations_with_loss_reordering_replays_and_re_initiation_decrypt_everywhere(int batch, bool parleyFirst)
    {
        var failures = new List<string>();
        var (delivered, replayed, initiations, reordered, lost, archived) = (0, 0, 0, 0, 0, 0);
        for (var seed = batch * ScenariosPerBatch; seed < (batch + 1) * ScenariosPerBatch; seed++)
        {
            var id = $"{seed}-{Guid.NewGuid():N}";
            ISignalDevice parley = new ParleyDevice($"parley-{id}");
            ISignalDevice theirs = await LibsignalDevice.CreateAsync(libsignal, $"libsignal-{id}");
            var scenario = parleyFirst ? new InteractionScenario(seed, parley, theirs) : new InteractionScenario(seed, theirs, parley);
            try
            {
                await scenario.RunAsync(Steps);
                delivered += scenario.Delivered;
                replayed += scenario.Replayed;
                initiations += scenario.Initiations;
                reordered += scenario.Reordered;
                lost += scenario.Lost;
                archived += scenario.Archived;
            }
            catch (ScenarioFailedException e)
            {
                failures.Add(e.Message);
            }
        }

        output.WriteLine($"{ScenariosPerBatch} scenarios: {delivered} messages delivered, {lost} lost, {reordered} reordered, " +
            $"{replayed} replays refused, {initiations} sessions initiated, {archived} archived");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {ScenariosPerBatch} scenarios failed; the first:\n{failures.FirstOrDefault()}");
        // The scenarios must actually exercise what they claim to.
        Assert.True(delivered > ScenariosPerBatch * 10 && replayed > ScenariosPerBatch / 2 && lost > ScenariosPerBatch
            && initiations > ScenariosPerBatch * 2 && reordered > ScenariosPerBatch && archived > ScenariosPerBatch / 2,
            $"too little happened in {ScenariosPerBatch} scenarios: {delivered} delivered, {replayed} replayed, {lost} lost, " +
            $"{reordered} reordered, {initiations} initiations, {archived} archived");
    }
}
