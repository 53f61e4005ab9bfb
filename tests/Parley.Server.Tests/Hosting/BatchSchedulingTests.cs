using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Hosting;

/// <summary>
/// The server's threads run under SCHED_BATCH (woken threads do not preempt working ones, so work
/// gathers into batches on a busy core), and an operator can turn that off.
/// </summary>
public sealed class BatchSchedulingTests
{
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    [Fact]
    public async Task Every_server_thread_runs_under_batch_scheduling_by_default()
    {
        await using var server = await ParleyServer.StartAsync(DatabaseKind.Sqlite);
        await TouchAsync(server);

        var policies = ThreadPolicies(server.Process.ProcessId!.Value);

        Assert.True(policies.Count > 5, $"only {policies.Count} threads");
        Assert.All(policies, policy => Assert.Equal(SchedBatch, policy.Policy));
    }

    [Fact]
    public async Task Batch_scheduling_can_be_turned_off()
    {
        await using var server = await ParleyServer.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string> { ["Parley:BatchScheduling"] = "false" });
        await TouchAsync(server);

        var policies = ThreadPolicies(server.Process.ProcessId!.Value);

        Assert.All(policies, policy => Assert.Equal(SchedOther, policy.Policy));
    }

    /// <summary>Makes the server start its socket and thread-pool threads.</summary>
    private static async Task TouchAsync(ParleyServer server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        for (var i = 0; i < 5; i++)
        {
            using var response = await http.GetAsync("/");
        }
    }

    /// <summary>Each thread's scheduling policy, from field 41 of <c>/proc/PID/task/TID/stat</c>.</summary>
    private static List<(string Thread, int Policy)> ThreadPolicies(int processId)
    {
        var policies = new List<(string, int)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }
            // The thread's name (field 2) is in parentheses and may hold spaces; fields 3.. follow the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            policies.Add((name, int.Parse(fields[41 - 3], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return policies;
    }
}
