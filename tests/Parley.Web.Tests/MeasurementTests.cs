using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Parley.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Web.Tests;

/// <summary>
/// Measures (reports, does not time-assert) what a browser user waits for: opening the app until it
/// answers input, and encrypting + sending a text until the server acknowledged it. The numbers go
/// to the test output and TestResults/screenshots/measurements.txt; README quotes them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MeasurementTests(BrowserFixture browser, ITestOutputHelper output)
{
    private const int Texts = 20;
    private const int ColdOpens = 3;

    /// <summary>A published server (`dotnet publish src/Parley.Server -c Release -o DIR`): brotli files, trimmed, as users get them.</summary>
    private static readonly string? Published = Environment.GetEnvironmentVariable("PARLEY_WEB_PUBLISHED");

    /// <summary>
    /// Notes, by the page's own clock (from navigation start), when the sign-in screen's phone input
    /// is on screen and then when the main thread is next free, which is when a keystroke would be
    /// handled. Playwright's own wait polls for a missing element every 500 ms, which added up to half
    /// a second to the time it saw.
    /// </summary>
    private const string WatchForFirstInput = """
        new MutationObserver((_, observer) => {
          if (document.getElementById('phone')) {
            observer.disconnect();
            const shown = performance.now();
            setTimeout(() => { window.parleyInteractive = { shown, ready: performance.now() }; }, 0);
          }
        }).observe(document, { childList: true, subtree: true });
        """;

    /// <summary>
    /// A directory for Chromium CPU profiles (open-N.cpuprofile per cold open, sends.cpuprofile of the
    /// texts) to see where the time goes (DevTools' Performance panel loads them); none when unset.
    /// </summary>
    private static readonly string? ProfileDirectory = Environment.GetEnvironmentVariable("PARLEY_WEB_PROFILE");

    [Fact]
    public async Task TimeToInteractive_AndInBrowserEncryptAndSend()
    {
        await using var server = await WebServer.StartAsync(settings: null, serverDirectory: Published);
        await using var warm = await WebUser.OpenAsync(browser.Browser, server); // the server's first requests warm up Kestrel
        await Assertions.Expect(warm.Page.GetByLabel("Phone number")).ToBeVisibleAsync(new() { Timeout = 120_000 });

        // Measured alone: a fresh context (empty cache) opens the app until its first input accepts typing.
        // Wall-clock time depends on what else the 2 cores run; the page's own main-thread busy time
        // (Chromium's TaskDuration) much less, so both are reported.
        var opens = new List<double>();
        var seen = new List<double>();
        var busy = new List<double>();
        var reopens = new List<double>();
        for (var i = 0; i < ColdOpens; i++)
        {
            var context = await browser.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() });
            await context.AddInitScriptAsync(WatchForFirstInput);
            var page = await context.NewPageAsync();
            var devtools = await context.NewCDPSessionAsync(page);
            await devtools.SendAsync("Performance.enable");
            await StartProfilingAsync(devtools);
            var started = Stopwatch.GetTimestamp();
            opens.Add(await OpenUntilTypingWorksAsync(page));
            seen.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            busy.Add(await TaskDurationMsAsync(devtools));
            await StopProfilingAsync(devtools, $"open-{i}.cpuprofile");
            await page.CloseAsync();

            // Opening the app again, as people do every day: the browser has its files and compiled code cached.
            reopens.Add(await OpenUntilTypingWorksAsync(await context.NewPageAsync()));
            await context.CloseAsync();
        }
        opens.Sort();
        seen.Sort();
        busy.Sort();
        reopens.Sort();

        await using var bob = await WebUser.OpenAsync(browser.Browser, server);

        await warm.RegisterAsync();
        await bob.RegisterAsync();
        await warm.OpenChatWithAsync(bob.Number);
        var sending = await warm.Page.Context.NewCDPSessionAsync(warm.Page);
        await StartProfilingAsync(sending);
        for (var i = 0; i < Texts; i++)
        {
            await warm.SendAsync($"measured text {i}");
            await warm.ExpectSentAsync($"measured text {i}");
        }
        await StopProfilingAsync(sending, "sends.cpuprofile");
        var sends = await warm.Page.EvaluateAsync<double[]>("window.parleyMetrics.sendMs");
        var encrypts = await warm.Page.EvaluateAsync<double[]>("window.parleyMetrics.encryptMs ?? []");
        Assert.Equal(Texts, sends.Length);
        var steady = sends.Skip(1).Order().ToArray(); // the first one also fetches keys and starts the session
        var browserSide = encrypts.Skip(1).Order().DefaultIfEmpty(double.NaN).ToArray();
        var load = (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0];
        var report = string.Create(CultureInfo.InvariantCulture,
            $"time to interactive (fresh context, loopback, {(Published is null ? "build output" : "published brotli build")}, load average {load}; " +
            $"the page's clock from navigation start until the phone input is shown and the main thread free): " +
            $"median {opens[opens.Count / 2]:F0} ms of {string.Join(", ", opens.Select(o => o.ToString("F0", CultureInfo.InvariantCulture)))} ms; " +
            $"the page's main thread was busy {busy[busy.Count / 2]:F0} ms of it (median); " +
            $"Playwright, polling every 500 ms, typed after a median {seen[seen.Count / 2]:F0} ms\n" +
            $"time to interactive when opened again in the same browser (files and compiled code cached): median {reopens[reopens.Count / 2]:F0} ms of " +
            $"{string.Join(", ", reopens.Select(o => o.ToString("F0", CultureInfo.InvariantCulture)))} ms\n" +
            $"encrypt + send until the server's ack, in the browser: first {sends[0]:F0} ms (session setup), then median {steady[steady.Length / 2]:F1} ms, max {steady[^1]:F1} ms over {steady.Length}\n" +
            $"of which in the browser before the frame leaves (store the message, encrypt, write the session): median {browserSide[browserSide.Length / 2]:F1} ms, max {browserSide[^1]:F1} ms\n");
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Screenshots.Directory, "measurements.txt"), report);
    }

    /// <summary>
    /// Opens the app and types into its first input (proving it accepts typing); returns when, by the
    /// page's clock, the input was there and the main thread free to handle the keystroke.
    /// </summary>
    private static async Task<double> OpenUntilTypingWorksAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Phone number").FillAsync("+1", new() { Timeout = 120_000 });
        await Assertions.Expect(page.GetByLabel("Phone number")).ToHaveValueAsync("+1");
        return await page.EvaluateAsync<double>("window.parleyInteractive.ready");
    }

    private static async Task StartProfilingAsync(ICDPSession devtools)
    {
        if (ProfileDirectory is null)
        {
            return;
        }
        await devtools.SendAsync("Profiler.enable");
        await devtools.SendAsync("Profiler.setSamplingInterval", new Dictionary<string, object> { ["interval"] = 200 });
        await devtools.SendAsync("Profiler.start");
    }

    private static async Task StopProfilingAsync(ICDPSession devtools, string fileName)
    {
        if (ProfileDirectory is null)
        {
            return;
        }
        var stopped = await devtools.SendAsync("Profiler.stop");
        Directory.CreateDirectory(ProfileDirectory);
        await File.WriteAllTextAsync(Path.Combine(ProfileDirectory, fileName), stopped!.Value.GetProperty("profile").GetRawText());
    }

    private static async Task<double> TaskDurationMsAsync(ICDPSession devtools)
    {
        var metrics = await devtools.SendAsync("Performance.getMetrics");
        foreach (var metric in metrics!.Value.GetProperty("metrics").EnumerateArray())
        {
            if (metric.GetProperty("name").GetString() == "TaskDuration")
            {
                return metric.GetProperty("value").GetDouble() * 1000;
            }
        }
        throw new InvalidOperationException("Chromium reported no TaskDuration.");
    }
}
