using Microsoft.Extensions.Time.Testing;
using Parley.Server.Storage;
using Parley.Server.TwoStep;

namespace Parley.Server.Tests.Privacy;

/// <summary>
/// The PIN throttle over a day of guessing, on a real SQLite database with the clock moved by the
/// test (the end-to-end tests cover the first delay in real time).
/// </summary>
public sealed class RegistrationLockThrottleTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "parley-lock-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private SqliteDatabase _database = null!;
    private RegistrationLockStore _store = null!;
    private const string Account = "3f6c1c3e-2d7a-4e59-9d0b-2b8f0c6f4a11";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _database = SqliteDatabase.InDirectory(_directory);
        await _database.MigrateAsync();
        await using var connection = await _database.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO accounts (id, number, created_at) VALUES (@a, '+15550000000', 0)", CancellationToken.None, ("a", Account));
        _store = new RegistrationLockStore(_database);
        await _store.SetPinAsync(Account, PinHashing.Hash("123456"), CancellationToken.None);
    }

    private async Task<LockCheck> TryAsync(string pin) =>
        await new RegistrationLockGuard(_store, _clock).CheckAsync(Account, (await _store.FindAsync(Account, CancellationToken.None))!, pin,
            allowAuthenticator: false, CancellationToken.None);

    [Fact]
    public async Task Wrong_pins_wait_longer_and_longer_then_lock_for_a_day_and_even_the_right_pin_waits()
    {
        var waits = new List<double>();
        LockCheck check;
        for (var attempt = 1; ; attempt++)
        {
            check = await TryAsync("000000");
            waits.Add(check.RetryAfter.TotalSeconds);
            if (check.Verdict == LockVerdict.Locked)
            {
                break;
            }
            Assert.Equal((LockVerdict.Incorrect, 10 - attempt), (check.Verdict, check.RemainingAttempts));
            Assert.Equal(LockVerdict.Throttled, check.RetryAfter > TimeSpan.Zero ? (await TryAsync("123456")).Verdict : LockVerdict.Throttled);
            _clock.Advance(check.RetryAfter);
        }
        Assert.Equal([0, 0, 0, 5, 10, 20, 40, 80, 160, 86_400], waits);

        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(LockVerdict.Locked, (await TryAsync("123456")).Verdict);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(LockVerdict.Passed, (await TryAsync("123456")).Verdict);
        Assert.Equal(0, (await _store.FindAsync(Account, CancellationToken.None))!.FailedAttempts);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
