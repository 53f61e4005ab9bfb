using Parley.Client.Tests.Cli;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Privacy;

/// <summary>`parley profile|presence|privacy|block|contacts|pin` and `register` with a PIN, as separate processes.</summary>
public sealed class PrivacyCliTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly CliProfiles _cli = new(fixture.Server, "privacy");

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Profile_privacy_presence_blocking_and_contacts_through_the_cli()
    {
        var (alice, aliceNumber) = await _cli.RegisterAsync("alice");
        var (bob, bobNumber) = await _cli.RegisterAsync("bob");
        var photo = _cli.PathOf("me.png");
        await File.WriteAllBytesAsync(photo, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        Assert.Equal("profile updated", CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "profile", "set", "--name", "Alice", "--about", "Hello!", "--photo", photo)).Stdout);

        var notAnImage = _cli.PathOf("notes.txt");
        await File.WriteAllTextAsync(notAnImage, "not a picture");
        var refused = await CliProfiles.RunAsync(alice, "profile", "set", "--photo", notAnImage);
        Assert.Equal((1, "error: --photo: a profile photo must be a JPEG, PNG or WebP image."), (refused.ExitCode, refused.Stderr));

        // The photo is end-to-end encrypted under Alice's profile key: Bob can read it only once she has written to him.
        var saved = _cli.PathOf("alice-photo.png");
        Assert.Equal(["name: Alice", "about: Hello!", "photo: yes", "photo not saved: it is end-to-end encrypted, and readable once they have written to you"],
            CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "profile", "show", aliceNumber, "--save-photo", saved)).Stdout));
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "send", bobNumber, "hi Bob"));
        Assert.Equal([$"{aliceNumber}: hi Bob"], CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "receive", "--timeout", "1")).Stdout));
        Assert.Equal(["name: Alice", "about: Hello!", "photo: yes", $"photo saved to {saved}"],
            CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "profile", "show", aliceNumber, "--save-photo", saved)).Stdout));
        Assert.Equal(await File.ReadAllBytesAsync(photo), await File.ReadAllBytesAsync(saved));
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "receive", "--timeout", "0")); // Alice's app was open a moment ago
        Assert.Matches("^last seen \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "presence", aliceNumber)).Stdout);

        var book = _cli.PathOf("book.txt");
        await File.WriteAllLinesAsync(book, [bobNumber.Insert(4, " ").Insert(8, "-"), TestDevice.NewNumber(), ""]);
        Assert.Equal(bobNumber, CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "contacts", "sync", book)).Stdout);

        var settings = CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "privacy", "set", "about", "contacts-except", "--except", bobNumber)).Stdout);
        Assert.Contains($"about: contacts-except {bobNumber}", settings);
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "privacy", "set", "last-seen", "nobody"));
        Assert.Contains("read-receipts: off", CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "privacy", "set", "read-receipts", "off")).Stdout));
        Assert.Equal("last seen hidden", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "presence", aliceNumber)).Stdout);
        Assert.Contains("about: (hidden or not set)", CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "profile", "show", aliceNumber)).Stdout));
        var badValue = await CliProfiles.RunAsync(alice, "privacy", "set", "photo", "friends");
        Assert.Equal((1, "error: \"friends\" is not a value for photo: use everyone, contacts, contacts-except or nobody."), (badValue.ExitCode, badValue.Stderr));

        Assert.Equal($"blocked {bobNumber}", CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "block", bobNumber)).Stdout);
        Assert.Equal(bobNumber, CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "blocked")).Stdout);
        Assert.Equal("sent", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "send", aliceNumber, "are you there?")).Stdout); // one tick, nothing more
        Assert.Equal("", CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "receive", "--timeout", "1")).Stdout);
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "unblock", bobNumber));
        CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "send", aliceNumber, "now?"));
        Assert.Equal([$"{bobNumber}: now?"], CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "receive", "--timeout", "1")).Stdout));
    }

    [Fact]
    public async Task Registering_a_number_with_a_pin_needs_the_pin()
    {
        var (phone, number) = await _cli.RegisterAsync("phone");
        Assert.StartsWith("two-step verification is on", CliProfiles.Expect(0, await CliProfiles.RunAsync(phone, "pin", "set", "--pin", "314159")).Stdout, StringComparison.Ordinal);
        var changeWithoutCurrent = await CliRunner.RunAsync(["--profile", phone, "pin", "set", "--pin", "271828"], stdin: "");
        Assert.Equal((1, "error: nothing on stdin; pass --current."), (changeWithoutCurrent.ExitCode, changeWithoutCurrent.Stderr.Split('\n')[^1].Trim()));

        var thief = _cli.PathOf("thief");
        Assert.Equal(1, (await CliProfiles.RunAsync(thief, "register", number, "--server", Server.BaseAddress.ToString())).ExitCode);
        var code = await Server.ReadCodeAsync(number);
        var noPin = await CliRunner.RunAsync(["--profile", thief, "register", number, "--server", Server.BaseAddress.ToString(), "--code", code], stdin: "");
        Assert.Equal(1, noPin.ExitCode);
        Assert.Contains("has two-step verification. Enter its PIN:", noPin.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("error: nothing on stdin; pass --pin.", noPin.Stderr, StringComparison.Ordinal);
        var wrong = await CliProfiles.RunAsync(thief, "register", number, "--server", Server.BaseAddress.ToString(), "--code", code, "--pin", "000000");
        Assert.Equal((1, "error: wrong PIN (9 attempts left)."), (wrong.ExitCode, wrong.Stderr));

        // The owner, on a new phone, types the PIN when asked.
        var newPhone = _cli.PathOf("new-phone");
        Assert.Equal(1, (await CliProfiles.RunAsync(newPhone, "register", number, "--server", Server.BaseAddress.ToString())).ExitCode);
        var owner = await CliRunner.RunAsync(["--profile", newPhone, "register", number, "--server", Server.BaseAddress.ToString(),
            "--code", await Server.ReadCodeAsync(number)], stdin: "314159\n");
        Assert.True(owner.ExitCode == 0, owner.ToString());
        Assert.StartsWith($"registered {number}", owner.Stdout, StringComparison.Ordinal);
        Assert.Equal("two-step verification is off", CliProfiles.Expect(0, await CliProfiles.RunAsync(newPhone, "pin", "remove", "--current", "314159")).Stdout);
    }

    public void Dispose() => _cli.Dispose();
}
