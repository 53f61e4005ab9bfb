using Parley.Client.Tests.Cli;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Devices;

/// <summary>`parley link` on a new device and `parley devices` on the primary, as separate processes against a real server.</summary>
public sealed class CliLinkTests(LinkingServerFixture fixture) : IClassFixture<LinkingServerFixture>, IDisposable
{
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), "parley-cli-link-tests", Guid.NewGuid().ToString("N"));

    private ParleyServer Server => fixture.Server;

    private string Url => Server.BaseAddress.ToString();

    [Fact]
    public async Task PrimaryShowsACode_NewDevicePresentsIt_PrimaryApproves_NewDeviceHasHistoryAndSends_PrimaryUnlinksIt()
    {
        var (phone, laptop, bob) = (Profile("phone"), Profile("laptop"), Profile("bob"));
        var (aliceNumber, bobNumber) = (TestDevice.NewNumber(), TestDevice.NewNumber());
        await RegisterAsync(phone, aliceNumber);
        await RegisterAsync(bob, bobNumber);
        Expect(0, await CliRunner.RunAsync(["--profile", phone, "send", bobNumber, "before linking"]));

        var code = Expect(0, await CliRunner.RunAsync(["--profile", phone, "devices", "--new-code"])).Stdout.Split('\n');
        Assert.Matches(@"^link code: [0-9A-Z]{5}-[0-9A-Z]{5} \(single use, valid until \d\d:\d\d\)$", code[0]);
        Assert.StartsWith("parley://link?", code[1], StringComparison.Ordinal);
        using (var linking = CliRunner.Start("--profile", laptop, "link", "--server", Url, "--code", code[1], "--name", "laptop"))
        {
            var waiting = await linking.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "";
            Assert.StartsWith("waiting for approval", waiting, StringComparison.Ordinal);
            var fingerprint = waiting[(waiting.LastIndexOf(':') + 2)..];
            Assert.Matches(@"^([0-9A-F]{5} ){3}[0-9A-F]{5}$", fingerprint);
            Assert.Equal($"approved device 2 (laptop, fingerprint {fingerprint})",
                Expect(0, await CliRunner.RunAsync(["--profile", phone, "devices", "--approve"])).Stdout);
            Assert.Equal($"linked {aliceNumber} (device 2) on {Url}", Expect(0, await CliRunner.FinishAsync(linking)).Stdout);
        }
        var devices = Expect(0, await CliRunner.RunAsync(["--profile", phone, "devices"])).Stdout.Split('\n');
        Assert.Equal(2, devices.Length);
        Assert.EndsWith("(this device)", devices[0], StringComparison.Ordinal);
        Assert.StartsWith("2\tlaptop\t", devices[1], StringComparison.Ordinal);

        // History came over; the laptop writes, Bob reads it, the phone shows it as sent by me.
        Expect(0, await CliRunner.RunAsync(["--profile", laptop, "receive", "--timeout", "1"]));
        Assert.Contains("me: before linking", Expect(0, await CliRunner.RunAsync(["--profile", laptop, "history", bobNumber])).Stdout, StringComparison.Ordinal);
        Expect(0, await CliRunner.RunAsync(["--profile", laptop, "send", bobNumber, "from the laptop"]));
        Assert.Equal($"{aliceNumber}: before linking\n{aliceNumber}: from the laptop",
            Expect(0, await CliRunner.RunAsync(["--profile", bob, "receive", "--timeout", "1"])).Stdout);
        Expect(0, await CliRunner.RunAsync(["--profile", phone, "receive", "--timeout", "1"]));
        Assert.Contains("me: from the laptop", Expect(0, await CliRunner.RunAsync(["--profile", phone, "history", bobNumber])).Stdout, StringComparison.Ordinal);

        Assert.Equal("unlinked device 2", Expect(0, await CliRunner.RunAsync(["--profile", phone, "devices", "--unlink", "2"])).Stdout);
        var refused = await CliRunner.RunAsync(["--profile", laptop, "send", bobNumber, "after unlinking"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("logged out", refused.Stderr, StringComparison.Ordinal);
        var notPrimary = await CliRunner.RunAsync(["--profile", bob, "devices", "--approve"]);
        Assert.Equal((1, "error: no device is waiting for approval; run `parley link --code <code>` on the new device first."), (notPrimary.ExitCode, notPrimary.Stderr));
    }

    [Fact]
    public async Task LinkWithAWrongCode_FailsWithAClearError()
    {
        var result = await CliRunner.RunAsync(["--profile", Profile("stray"), "link", "--server", Url, "--code", "00000-00000"]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: no such link code", result.Stderr, StringComparison.Ordinal);
    }

    private async Task RegisterAsync(string profile, string number)
    {
        Assert.Equal(1, (await CliRunner.RunAsync(["--profile", profile, "register", number, "--server", Url])).ExitCode);
        Expect(0, await CliRunner.RunAsync(["--profile", profile, "register", number, "--server", Url, "--code", await Server.ReadCodeAsync(number)]));
    }

    private string Profile(string name) => Path.Combine(_profiles, name);

    private static CliRunner.Result Expect(int exitCode, CliRunner.Result result)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}, got {result}");
        return result;
    }

    public void Dispose()
    {
        if (Directory.Exists(_profiles))
        {
            Directory.Delete(_profiles, recursive: true);
        }
    }
}
