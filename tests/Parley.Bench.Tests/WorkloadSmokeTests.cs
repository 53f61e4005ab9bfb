namespace Parley.Bench.Tests;

/// <summary>
/// Each workload, small and short, against a real server: every message must arrive and the
/// numbers the report is built from must be there. Speed is measured by the bench itself
/// (docs/performance.md), never asserted here.
/// </summary>
public sealed class WorkloadSmokeTests(BenchServer fixture) : IClassFixture<BenchServer>
{
    [Fact]
    public async Task Pairs_WithOpaquePayloads_DeliversEveryMessageAndMeasuresLatency()
    {
        var summary = await new PairsWorkload(BenchOptions.Parse(fixture.Args("pairs", "--users", "20", "--rate", "200", "--seconds", "1", "--warmup-seconds", "0.5"))).RunAsync();

        Assert.Equal(200, summary.Offered);
        Assert.Equal(200, summary.Sent);
        Assert.Equal(200, summary.Received);
        Assert.Equal(0, summary.Lost);
        Assert.True(summary.LatencyMs.P50 > 0 && summary.LatencyMs.Max >= summary.LatencyMs.P99, $"latency {summary.LatencyMs}");
        Assert.NotNull(summary.ServerCpu);
        Assert.True(summary.ServerRssBytes > 0);
    }

    [Fact]
    public async Task Pairs_WithEndToEndEncryption_DecryptsEveryMessage()
    {
        var summary = await new PairsWorkload(BenchOptions.Parse(fixture.Args("pairs", "--users", "4", "--rate", "20", "--seconds", "1", "--e2e"))).RunAsync();

        Assert.True(summary.E2e);
        Assert.Equal(20, summary.Sent);
        Assert.Equal(20, summary.Received);
        Assert.Equal(0, summary.Lost);
    }

    [Fact]
    public async Task Group_FansEachMessageOutToEveryOtherMember()
    {
        var summary = await new GroupWorkload(BenchOptions.Parse(fixture.Args("group", "--users", "10", "--members", "5", "--rate", "20", "--seconds", "1"))).RunAsync();

        AssertEveryMemberGotEveryMessage(summary, messages: 20, otherMembers: 4);
    }

    [Fact]
    public async Task Group_WithEndToEndEncryption_EveryOtherMemberDecryptsEveryMessage()
    {
        var summary = await new GroupWorkload(BenchOptions.Parse(fixture.Args("group", "--users", "6", "--members", "3", "--rate", "10", "--seconds", "1", "--e2e"))).RunAsync();

        Assert.True(summary.E2e);
        AssertEveryMemberGotEveryMessage(summary, messages: 10, otherMembers: 2);
    }

    private static void AssertEveryMemberGotEveryMessage(RunSummary summary, int messages, int otherMembers)
    {
        Assert.Equal(messages, summary.Sent);
        Assert.Equal(messages * otherMembers, summary.Expected);
        Assert.Equal(messages * otherMembers, summary.Received);
        Assert.Equal(0, summary.Lost);
        Assert.NotNull(summary.LastRecipientMs);
        Assert.True(summary.LastRecipientMs.Max >= summary.LatencyMs.P50);
    }

    [Fact]
    public async Task Idle_SpreadOverChildProcessesAndSourceAddresses_HoldsEveryConnection()
    {
        var summary = await new IdleWorkload(BenchOptions.Parse(fixture.Args("idle",
            "--users", "40", "--warmup", "4", "--processes", "2", "--source-addresses", "3", "--hold", "1"))).RunAsync();

        Assert.Equal(2, summary.Processes);
        Assert.Equal(40, summary.Connected);
        Assert.Equal(0, summary.Failed);
        Assert.Equal(40, summary.OpenAfterHold);
        Assert.NotNull(summary.ServerRssBytesPerConnection);
        Assert.True(summary.ConnectionsPerSecond > 0);
    }
}
