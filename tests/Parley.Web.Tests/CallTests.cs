using System.Text.Json;
using Microsoft.Playwright;
using Parley.Server.Tests.Infrastructure;
using Parley.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Web.Tests;

/// <summary>
/// Calls between real browsers: Chromium's fake camera and microphone, WebRTC over loopback (or
/// through a real coturn), signaling end to end encrypted through a real server.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CallTests(BrowserFixture browser, ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task VideoCall_BothSidesReceiveVideoAndAudio_HangUpLeavesHistoryOnBoth()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await Task.WhenAll(alice.RegisterAsync(), bob.RegisterAsync());

        await alice.OpenChatWithAsync(bob.Number);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call" }).ClickAsync();
        var incoming = bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "Incoming call" });
        await bob.WithConsoleAsync(() => Assertions.Expect(incoming).ToContainTextAsync($"{alice.Number}Incoming video call"));
        await Assertions.Expect(CallStatus(alice)).ToHaveTextAsync("Ringing…");
        await bob.ScreenshotAsync("call-incoming");
        await incoming.GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();

        await ExpectConnectedAsync(alice, bob);
        await ExpectMediaFlowingAsync(alice, bob.Number, video: true);
        await ExpectMediaFlowingAsync(bob, alice.Number, video: true);
        await alice.ScreenshotAsync("call-video");
        output.WriteLine(await SetupTimesAsync(alice, bob));

        // Mute and camera off are toggles the screen reflects; the devices panel lists the fake devices.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Mute" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Unmute" })).ToHaveAttributeAsync("aria-pressed", "true");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Turn camera off" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Turn camera on" })).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Devices" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Combobox, new() { Name = "Camera" })).ToBeVisibleAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Combobox, new() { Name = "Microphone" })).ToBeVisibleAsync();

        await Task.Delay(1500); // a call that lasted a moment
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".call-screen")).ToHaveCountAsync(0);
        await Assertions.Expect(bob.Page.Locator(".call-screen")).ToHaveCountAsync(0);

        await Assertions.Expect(alice.Page.Locator(".system-event").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Outgoing video call · 0:0[1-9]$"));
        await bob.OpenChatWithAsync(alice.Number);
        await Assertions.Expect(bob.Page.Locator(".system-event").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Incoming video call · 0:0[1-9]$"));
    }

    [Fact]
    public async Task RelayOnlyCall_GoesThroughCoturn_AndStillCarriesMedia()
    {
        await using var coturn = await CoturnProcess.StartAsync(allowLoopbackPeers: true);
        await using var server = await WebServer.StartAsync(new Dictionary<string, string>
        {
            ["Parley:Turn:Urls:0"] = coturn.UdpUrl,
            ["Parley:Turn:Secret"] = coturn.Secret,
        });
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await Task.WhenAll(alice.RegisterAsync(), bob.RegisterAsync());
        await Task.WhenAll(RelayCallsAsync(alice), RelayCallsAsync(bob));

        await alice.OpenChatWithAsync(bob.Number);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "Incoming call" }).GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();

        try
        {
            await ExpectConnectedAsync(alice, bob);
        }
        catch (PlaywrightException error)
        {
            throw new PlaywrightException($"{error.Message}\n--- coturn ---\n{coturn.Output}", error);
        }
        var aliceSide = await ExpectMediaFlowingAsync(alice, bob.Number, video: true);
        var bobSide = await ExpectMediaFlowingAsync(bob, alice.Number, video: true);
        Assert.Equal("relay", aliceSide.LocalCandidateType);
        Assert.Equal("relay", bobSide.LocalCandidateType);
        output.WriteLine(await SetupTimesAsync(alice, bob));
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Assertions.Expect(bob.Page.Locator(".call-screen")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task DeclineAndRingTimeout_GiveTheRightHistoryOnBothSides()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await Task.WhenAll(alice.RegisterAsync(), bob.RegisterAsync());
        await Task.WhenAll(ShortRingAsync(alice), ShortRingAsync(bob));
        await alice.OpenChatWithAsync(bob.Number);
        await bob.OpenChatWithAsync(alice.Number);

        // Bob declines a voice call.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Voice call" }).ClickAsync();
        var incoming = bob.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "Incoming call" });
        await Assertions.Expect(incoming).ToContainTextAsync("Incoming voice call");
        await incoming.GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Assertions.Expect(CallStatus(alice)).ToHaveTextAsync("Declined");
        await Assertions.Expect(alice.Page.Locator(".system-event").Last).ToHaveTextAsync("Outgoing voice call · declined");
        await Assertions.Expect(bob.Page.Locator(".system-event").Last).ToHaveTextAsync("Declined voice call");
        await Assertions.Expect(alice.Page.Locator(".call-screen")).ToHaveCountAsync(0);

        // Nobody answers a video call within the (test-short) ring time.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call" }).ClickAsync();
        await Assertions.Expect(incoming).ToContainTextAsync("Incoming video call");
        output.WriteLine("second call, session already set up: " + await RingTimesAsync(alice, bob));
        await Assertions.Expect(CallStatus(alice)).ToHaveTextAsync("No answer", new() { Timeout = 15_000 });
        await Assertions.Expect(incoming).ToHaveCountAsync(0);
        await Assertions.Expect(alice.Page.Locator(".system-event").Last).ToHaveTextAsync("Outgoing video call · no answer");
        await Assertions.Expect(bob.Page.Locator(".system-event").Last).ToHaveTextAsync("Missed video call");

        // The history is kept in IndexedDB: still there after a reload.
        await bob.ReloadAsync();
        await bob.OpenChatWithAsync(alice.Number);
        await Assertions.Expect(bob.Page.Locator(".system-event")).ToHaveTextAsync(["Declined voice call", "Missed video call"]);
    }

    [Fact]
    public async Task GroupVideoCallOfThree_EachReceivesTheOtherTwo_OneLeavesAndTheOthersGoOn()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await using var carol = await WebUser.OpenAsync(browser.Browser, server);
        await Task.WhenAll(alice.RegisterAsync(), bob.RegisterAsync(), carol.RegisterAsync());
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await alice.Page.GetByLabel("Group name").FillAsync("Trio");
        await alice.Page.GetByLabel("Members' phone numbers").FillAsync($"{bob.Number}, {carol.Number}");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByTestId("chat-title")).ToHaveTextAsync("Trio");
        await bob.OpenChatAsync("Trio");
        await carol.OpenChatAsync("Trio");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call" }).ClickAsync();
        foreach (var member in new[] { bob, carol })
        {
            var incoming = member.Page.GetByRole(AriaRole.Alertdialog, new() { Name = "Incoming call" });
            await member.WithConsoleAsync(() => Assertions.Expect(incoming).ToContainTextAsync($"Incoming group video call from {alice.Number}"));
            await incoming.GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();
        }

        // A mesh: everyone receives audio and video from each of the two others.
        foreach (var (user, peers) in new[] { (alice, new[] { bob, carol }), (bob, new[] { alice, carol }), (carol, new[] { alice, bob }) })
        {
            foreach (var peer in peers)
            {
                await ExpectMediaFlowingAsync(user, peer.Number, video: true);
            }
        }
        await Assertions.Expect(alice.Page.Locator(".remote-tile")).ToHaveCountAsync(2);
        await carol.ScreenshotAsync("call-group");
        output.WriteLine(await SetupTimesAsync(alice, bob));

        // Bob leaves; Alice and Carol keep receiving each other.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".remote-tile")).ToHaveCountAsync(1);
        await Assertions.Expect(carol.Page.Locator(".remote-tile")).ToHaveCountAsync(1);
        await ExpectMediaFlowingAsync(alice, carol.Number, video: true);
        await ExpectMediaFlowingAsync(carol, alice.Number, video: true);
        await Assertions.Expect(bob.Page.Locator(".system-event").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Group video call · \d+:\d\d$"));

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await carol.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".system-event").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Group video call · \d+:\d\d$"));
        await Assertions.Expect(carol.Page.Locator(".call-screen")).ToHaveCountAsync(0);
    }

    private static ILocator CallStatus(WebUser user) => user.Page.GetByTestId("call-status");

    private static async Task ExpectConnectedAsync(params WebUser[] users)
    {
        foreach (var user in users)
        {
            await user.WithConsoleAsync(() => Assertions.Expect(CallStatus(user)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+:\d\d$")));
        }
    }

    /// <summary>
    /// Waits until what <paramref name="user"/> receives from <paramref name="peer"/> grows in audio (and video)
    /// bytes. In a group call the connection may not exist yet: it appears when the peer's offer arrives.
    /// </summary>
    private static async Task<PeerStats> ExpectMediaFlowingAsync(WebUser user, string peer, bool video)
    {
        var first = await StatsAsync(user, peer);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await Task.Delay(500);
            var now = await StatsAsync(user, peer);
            if (now is not null && now.AudioBytesReceived > (first?.AudioBytesReceived ?? 0)
                && (!video || (now.VideoBytesReceived > (first?.VideoBytesReceived ?? 0) && now.FramesDecoded > 0)))
            {
                return now;
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"{user.Number} receives nothing from {peer}: first {first?.ToString() ?? "no connection"}, now {now?.ToString() ?? "no connection"}\n{string.Join('\n', user.ConsoleLines)}");
        }
    }

    /// <summary>What the user's connection with <paramref name="peer"/> carries, or null while there is none.</summary>
    private static async Task<PeerStats?> StatsAsync(WebUser user, string peer)
    {
        var json = await user.Page.EvaluateAsync<string>("async () => JSON.stringify(await window.parleyCalls.stats())");
        var all = JsonSerializer.Deserialize<PeerStats[]>(json, Json)!;
        return all.SingleOrDefault(s => s.Peer == peer);
    }

    /// <summary>"Relay calls through the server" in Settings: iceTransportPolicy "relay" from then on.</summary>
    private static async Task RelayCallsAsync(WebUser user)
    {
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await user.Page.GetByLabel("Relay calls through the server").CheckAsync();
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Close settings" }).ClickAsync();
    }

    /// <summary>The web app reads its ring time from localStorage when it opens (the product default stays 45 s).</summary>
    private static async Task ShortRingAsync(WebUser user)
    {
        await user.Page.EvaluateAsync("() => localStorage.setItem('parley.callRingSeconds', '3')");
        await user.ReloadAsync();
        await user.WaitUntilOnlineAsync();
    }

    /// <summary>Call setup as the browsers saw it (one machine, one clock): click → ringing on the callee, answer → media connected.</summary>
    private static async Task<string> SetupTimesAsync(WebUser caller, WebUser callee)
    {
        var connected = await caller.Page.EvaluateAsync<double>("() => window.parleyMetrics.connectedAt");
        var started = await caller.Page.EvaluateAsync<double>("() => window.parleyMetrics.callStartedAt");
        return $"{await RingTimesAsync(caller, callee)}; click → connected (incl. answering) {connected - started:F0} ms";
    }

    /// <summary>Click → ringing on the callee, and where that time went (a 1:1 call sends an offer, a group call a JOIN).</summary>
    private static async Task<string> RingTimesAsync(WebUser caller, WebUser callee)
    {
        // The server's "sent" may reach the caller just after the callee already rings.
        await caller.Page.WaitForFunctionAsync("() => window.parleyMetrics.ringSentAt >= window.parleyMetrics.callStartedAt");
        var marks = await caller.Page.EvaluateAsync<double[]>(
            "() => ['callStartedAt', 'offerCreatedAt', 'ringSentAt', 'mediaOpenAt'].map(name => window.parleyMetrics[name] ?? 0)");
        var (started, offer, sent, media) = (marks[0], marks[1], marks[2], marks[3]);
        var ringing = await callee.Page.EvaluateAsync<double>("() => window.parleyMetrics.ringingAt");
        var sending = offer >= started
            ? $"offer {offer - started:F0} ms, encrypt + send until the server acked {sent - offer:F0} ms"
            : $"encrypt + send until the server acked {sent - started:F0} ms";
        var camera = media >= started ? $"camera and microphone open after {media - started:F0} ms" : "camera and microphone still opening";
        return $"call setup: click → ringing on the callee {ringing - started:F0} ms ({sending}, to the callee's ring {ringing - sent:F0} ms; {camera})";
    }

    private sealed record PeerStats(string Peer, string State, long AudioBytesReceived, long VideoBytesReceived, long FramesDecoded,
        string? LocalCandidateType, string? RemoteCandidateType, string Quality);
}
