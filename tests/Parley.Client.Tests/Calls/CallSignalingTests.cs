using System.Diagnostics;
using System.Threading.Channels;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Tests.Devices;
using Parley.Client.Tests.Infrastructure;
using Parley.Protocol.Encrypted;
using Parley.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Client.Tests.Calls;

/// <summary>
/// Call signaling between real clients through a real server: what each phone rings, shows and
/// keeps in its call history. (WebRTC media itself is the browser's; see the web client's tests.)
/// </summary>
public sealed class CallSignalingTests(LinkingServerFixture fixture, ITestOutputHelper output) : IClassFixture<LinkingServerFixture>
{
    private const string Offer = "v=0 fake offer";
    private const string Answer = "v=0 fake answer";

    private sealed class Phone
    {
        public Phone(TestDevice device)
        {
            Device = device;
            device.Client.CallIncoming += c => Incoming.Writer.TryWrite(c);
            device.Client.CallRinging += id => Ringing.Writer.TryWrite(id);
            device.Client.CallAnswered += a => Answered.Writer.TryWrite(a);
            device.Client.CallIceCandidatesReceived += c => Ice.Writer.TryWrite(c);
            device.Client.CallEnded += e => Ended.Writer.TryWrite(e);
        }

        public TestDevice Device { get; }
        public ParleyClient Client => Device.Client;
        public Channel<IncomingCall> Incoming { get; } = Channel.CreateUnbounded<IncomingCall>();
        public Channel<byte[]> Ringing { get; } = Channel.CreateUnbounded<byte[]>();
        public Channel<CallAnswered> Answered { get; } = Channel.CreateUnbounded<CallAnswered>();
        public Channel<CallIceCandidates> Ice { get; } = Channel.CreateUnbounded<CallIceCandidates>();
        public Channel<CallEnded> Ended { get; } = Channel.CreateUnbounded<CallEnded>();
    }

    private static async Task<T> NextAsync<T>(Channel<T> events, string what)
    {
        using var timeout = new CancellationTokenSource(TestDevice.Timeout);
        try
        {
            return await events.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"Expected {what} within {TestDevice.Timeout.TotalSeconds} s.");
        }
    }

    private async Task<Phone> PhoneAsync(TimeSpan? ringTime = null) => new(await TestDevice.RegisterAsync(fixture.Server,
        options: new ClientOptions { CallRingTime = ringTime ?? TimeSpan.FromSeconds(45), Connection = new() { InitialBackoff = TimeSpan.FromMilliseconds(100) } }));

    private static async Task<CallRecord> LastCallAsync(Phone phone) => (await phone.Client.GetCallHistoryAsync())[0];

    [Fact]
    public async Task Every_device_rings_the_one_that_answers_keeps_the_call_and_both_histories_show_it()
    {
        var alice = await PhoneAsync();
        var bobPhone = await PhoneAsync();
        var bobLaptop = new Phone(await LinkedDevices.LinkAsync(bobPhone.Device));
        await alice.Device.SendAsync(bobPhone.Device, "call you in a sec");

        var dialed = Stopwatch.GetTimestamp();
        var callId = await alice.Client.StartCallAsync(bobPhone.Device.Number, Offer, video: true);
        var onPhone = await NextAsync(bobPhone.Incoming, "the call ringing on Bob's phone");
        var setup = Stopwatch.GetElapsedTime(dialed);
        var onLaptop = await NextAsync(bobLaptop.Incoming, "the call ringing on Bob's laptop");
        Assert.Equal((alice.Device.Number, true, Offer), (onPhone.Number, onPhone.Video, onPhone.OfferSdp));
        Assert.Equal(callId, onLaptop.CallId);
        Assert.Equal(callId, await NextAsync(alice.Ringing, "\"ringing\" at Alice"));
        output.WriteLine($"call setup (StartCallAsync to the callee's phone ringing): {setup.TotalMilliseconds:0} ms");

        await bobLaptop.Client.AnswerCallAsync(callId, Answer);
        var answered = await NextAsync(alice.Answered, "Bob's answer");
        Assert.Equal((Answer, 2u), (answered.AnswerSdp, answered.Device));
        var stoppedRinging = await NextAsync(bobPhone.Ended, "Bob's phone to stop ringing");
        Assert.Equal(CallOutcome.HandledElsewhere, stoppedRinging.Record.Outcome);

        await alice.Client.SendIceCandidatesAsync(callId, [new IceCandidate { Candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", SdpMid = "0" }]);
        Assert.Equal("0", Assert.Single((await NextAsync(bobLaptop.Ice, "Alice's ICE candidate")).Candidates).SdpMid);
        await bobLaptop.Client.SendIceCandidatesAsync(callId, [new IceCandidate { Candidate = "candidate:2 1 udp 1 127.0.0.1 50001 typ host", SdpMid = "0" }]);
        Assert.Single((await NextAsync(alice.Ice, "Bob's ICE candidate")).Candidates);

        await Task.Delay(300);
        await alice.Client.HangUpAsync(callId);
        var bobSide = (await NextAsync(bobLaptop.Ended, "the call ending on Bob's laptop")).Record;
        Assert.Equal((CallDirection.Incoming, CallOutcome.Answered, alice.Device.Number, true), (bobSide.Direction, bobSide.Outcome, bobSide.PeerNumber, bobSide.Video));
        Assert.True(bobSide.DurationMs >= 200, $"duration {bobSide.DurationMs} ms");
        var aliceSide = await LastCallAsync(alice);
        Assert.Equal((CallDirection.Outgoing, CallOutcome.Answered), (aliceSide.Direction, aliceSide.Outcome));
        Assert.Equal(CallOutcome.HandledElsewhere, (await LastCallAsync(bobPhone)).Outcome);
    }

    [Fact]
    public async Task Declined_and_busy_calls_end_at_once_with_the_right_history()
    {
        var alice = await PhoneAsync();
        var bob = await PhoneAsync();
        var carol = await PhoneAsync();

        var declined = await alice.Client.StartCallAsync(bob.Device.Number, Offer, video: false);
        await bob.Client.DeclineCallAsync((await NextAsync(bob.Incoming, "the call at Bob")).CallId);
        Assert.Equal(CallOutcome.Declined, (await NextAsync(alice.Ended, "the declined call ending")).Record.Outcome);
        Assert.Equal((CallDirection.Incoming, CallOutcome.Declined), ((await LastCallAsync(bob)).Direction, (await LastCallAsync(bob)).Outcome));
        Assert.Equal(declined, (await LastCallAsync(alice)).CallId);

        var withCarol = await carol.Client.StartCallAsync(bob.Device.Number, Offer, video: false);
        await bob.Client.AnswerCallAsync((await NextAsync(bob.Incoming, "Carol's call")).CallId, Answer);
        await NextAsync(carol.Answered, "Bob answering Carol");
        await alice.Client.StartCallAsync(bob.Device.Number, Offer, video: false);
        Assert.Equal(CallOutcome.Busy, (await NextAsync(alice.Ended, "Bob being busy")).Record.Outcome);
        Assert.Equal(CallOutcome.Missed, (await bob.Client.GetCallHistoryAsync()).First(c => c.PeerNumber == alice.Device.Number).Outcome);
        Assert.Equal(declined, (await NextAsync(bob.Ended, "the declined call, ended at Bob")).CallId);
        await carol.Client.HangUpAsync(withCarol);
        var ended = await NextAsync(bob.Ended, "Carol hanging up");
        Assert.Equal((Convert.ToHexString(withCarol), CallOutcome.Answered), (Convert.ToHexString(ended.CallId), ended.Record.Outcome));
    }

    [Fact]
    public async Task An_unanswered_call_times_out_as_missed_and_a_late_offer_never_rings()
    {
        var alice = await PhoneAsync(TimeSpan.FromSeconds(2));
        var bob = await PhoneAsync(TimeSpan.FromSeconds(2));
        await alice.Client.StartCallAsync(bob.Device.Number, Offer, video: false);
        await NextAsync(bob.Incoming, "the call at Bob");
        Assert.Equal(CallOutcome.NoAnswer, (await NextAsync(alice.Ended, "the ring timeout at Alice")).Record.Outcome);
        Assert.Equal(CallOutcome.Missed, (await NextAsync(bob.Ended, "the missed call at Bob")).Record.Outcome);

        // Bob's phone is off while Alice calls; when it comes back the call is long over.
        await bob.Device.CloseAsync();
        await alice.Client.StartCallAsync(bob.Device.Number, Offer, video: false);
        Assert.Equal(CallOutcome.NoAnswer, (await NextAsync(alice.Ended, "the second ring timeout")).Record.Outcome);
        await Task.Delay(500);
        await bob.Device.OpenAsync(connect: false);
        var rebooted = new Phone(bob.Device); // listening before anything arrives
        await bob.Client.ConnectAsync().WaitAsync(TestDevice.Timeout);
        await bob.Client.WaitUntilCaughtUpAsync().WaitAsync(TestDevice.Timeout);
        var history = await bob.Client.GetCallHistoryAsync();
        Assert.Equal(2, history.Count(c => c.Outcome == CallOutcome.Missed));
        Assert.False(rebooted.Incoming.Reader.TryRead(out _), "a call that is over must not ring");
    }
}
