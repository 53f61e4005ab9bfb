using Parley.Client.Storage;

namespace Parley.Web.Storage;

/// <summary>The call history: kept in memory like everything else and written through to IndexedDB ("call|" keys).</summary>
public sealed partial class IndexedDbClientStore : ICallHistoryStore
{
    public async Task AddCallAsync(CallRecord call)
    {
        ArgumentNullException.ThrowIfNull(call);
        await _memory.AddCallAsync(call);
        await PutAsync($"call|{Convert.ToHexString(call.CallId)}", call);
    }

    public Task<IReadOnlyList<CallRecord>> ListCallsAsync() => _memory.ListCallsAsync();
}
