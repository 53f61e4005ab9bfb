namespace Parley.Client.Storage;

public sealed partial class InMemoryClientStore : ICallHistoryStore
{
    private readonly List<CallRecord> _calls = [];

    public Task AddCallAsync(CallRecord call)
    {
        lock (_calls)
        {
            _calls.RemoveAll(c => c.CallId.AsSpan().SequenceEqual(call.CallId));
            _calls.Add(call);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CallRecord>> ListCallsAsync()
    {
        lock (_calls)
        {
            return Task.FromResult<IReadOnlyList<CallRecord>>([.. _calls.OrderByDescending(c => c.StartedAt)]);
        }
    }
}
