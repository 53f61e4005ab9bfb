using Parley.Client.Storage;

namespace Parley.Client.Sqlite;

public sealed partial class SqliteClientStore : ICallHistoryStore
{
    public Task AddCallAsync(CallRecord call) => ExecuteAsync("""
        INSERT OR REPLACE INTO calls (call_id, peer_number, peer_account, direction, video, outcome, started_at, duration_ms, group_id)
        VALUES (@id, @number, @account, @direction, @video, @outcome, @started, @duration, @group)
        """, ("id", call.CallId), ("number", call.PeerNumber), ("account", call.PeerAccountId), ("direction", (int)call.Direction),
        ("video", call.Video ? 1 : 0), ("outcome", (int)call.Outcome), ("started", call.StartedAt), ("duration", call.DurationMs),
        ("group", call.GroupId));

    public async Task<IReadOnlyList<CallRecord>> ListCallsAsync() => await QueryAsync(
        "SELECT call_id, peer_number, peer_account, direction, video, outcome, started_at, duration_ms, group_id FROM calls ORDER BY started_at DESC",
        r => new CallRecord((byte[])r.GetValue(0), r.GetString(1), r.GetString(2), (CallDirection)r.GetInt32(3), r.GetInt32(4) != 0,
            (CallOutcome)r.GetInt32(5), r.GetInt64(6), r.GetInt64(7), r.IsDBNull(8) ? null : r.GetString(8)));
}
