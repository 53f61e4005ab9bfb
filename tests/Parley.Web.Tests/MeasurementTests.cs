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

    [Fact]
    public async Task TimeToInteractive_AndInBrowserEncryptAndSend()
    {
        await using var server = await WebServer.StartAsync();
        await using var warm = await WebUser.OpenAsync(browser.Browser, server); // the server's first requests warm up Kestrel
        await Assertions.Expect(warm.Page.GetByLabel("Phone number")).ToBeVisibleAsync(new() { Timeout = 120_000 });

        // Measured alone: a fresh context (empty cache) opens the app until its first input accepts typing.
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var started = Stopwatch.GetTimestamp();
        await page.GotoAsync("/");
        await page.GetByLabel("Phone number").FillAsync("+1", new() { Timeout = 120_000 });
        var interactive = Stopwatch.GetElapsedTime(started);
        await context.CloseAsync();

        await using var bob = await WebUser.OpenAsync(browser.Browser, server);

        await warm.RegisterAsync();
        await bob.RegisterAsync();
        await warm.OpenChatWithAsync(bob.Number);
        for (var i = 0; i < Texts; i++)
        {
            await warm.SendAsync($"measured text {i}");
            await warm.ExpectSentAsync($"measured text {i}");
        }
        var sends = await warm.Page.EvaluateAsync<double[]>("window.parleyMetrics.sendMs");
        Assert.Equal(Texts, sends.Length);
        var steady = sends.Skip(1).Order().ToArray(); // the first one also fetches keys and starts the session
        var report = string.Create(CultureInfo.InvariantCulture,
            $"time to interactive (cold context, loopback, build output): {interactive.TotalMilliseconds:F0} ms\n" +
            $"encrypt + send until the server's ack, in the browser: first {sends[0]:F0} ms (session setup), then median {steady[steady.Length / 2]:F1} ms, max {steady[^1]:F1} ms over {steady.Length}\n");
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Screenshots.Directory, "measurements.txt"), report);
    }
}
