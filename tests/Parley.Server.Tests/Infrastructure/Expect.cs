using Parley.Client.Transport;
using Parley.Protocol.Wire;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>Waiting for what a user would see, with timeouts that say what was expected.</summary>
public static class Expect
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<Envelope> EnvelopeAsync(ParleyConnection connection, string what)
    {
        var envelope = await connection.NextEnvelopeAsync(Timeout);
        Assert.True(envelope is not null, $"Expected {what} within {Timeout.TotalSeconds} s, but none arrived.");
        return envelope!;
    }

    public static async Task<List<Envelope>> EnvelopesAsync(ParleyConnection connection, int count, string what)
    {
        var received = new List<Envelope>(count);
        for (var i = 0; i < count; i++)
        {
            var envelope = await connection.NextEnvelopeAsync(Timeout);
            Assert.True(envelope is not null, $"Expected {count} {what} within {Timeout.TotalSeconds} s each, but only {i} arrived.");
            received.Add(envelope!);
        }
        return received;
    }

    public static async Task NothingAsync(ParleyConnection connection, TimeSpan quietPeriod, string what)
    {
        var envelope = await connection.NextEnvelopeAsync(quietPeriod);
        Assert.True(envelope is null, $"Expected no {what}, but got a {envelope?.Type} envelope.");
    }

    /// <summary>The next ephemeral signal (presence, typing, profile change) pushed to the connection.</summary>
    public static async Task<ServerFrame> SignalAsync(ParleyConnection socket, string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            return await socket.Signals.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"Expected {what} within {Timeout.TotalSeconds} s, but none arrived.");
        }
    }

    public static async Task NoSignalAsync(ParleyConnection socket, TimeSpan quiet, string what)
    {
        using var timeout = new CancellationTokenSource(quiet);
        try
        {
            var frame = await socket.Signals.ReadAsync(timeout.Token);
            Assert.Fail($"Expected no {what}, but got {frame.BodyCase}.");
        }
        catch (OperationCanceledException)
        {
            // Quiet, as expected.
        }
    }

    public static async Task<SendRejectedException> RejectedAsync(Task task)
    {
        return await Assert.ThrowsAsync<SendRejectedException>(() => task.WaitAsync(Timeout));
    }
}
