using System.CommandLine;

namespace Parley.Cli;

/// <summary>`profile`, `presence`, `privacy`, `block`/`unblock`/`blocked`, `contacts sync`, `pin` and `turn-check`.</summary>
public static partial class CliCommands
{
    private static void AddPrivacyCommands(RootCommand root, Option<DirectoryInfo> profile)
    {
        root.Subcommands.Add(Profile(profile));
        root.Subcommands.Add(Presence(profile));
        root.Subcommands.Add(Privacy(profile));
        root.Subcommands.Add(Blocking(profile, "block", "Block a number: its messages never reach you and it sees nothing of you (it is not told).",
            (s, n, c) => s.BlockAsync(n, block: true, c)));
        root.Subcommands.Add(Blocking(profile, "unblock", "Unblock a number (messages sent while blocked stay undelivered).",
            (s, n, c) => s.BlockAsync(n, block: false, c)));
        var blocked = new Command("blocked", "List the numbers you blocked.");
        blocked.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s => s.BlockedAsync(cancellationToken)));
        root.Subcommands.Add(blocked);
        root.Subcommands.Add(Contacts(profile));
        root.Subcommands.Add(Pin(profile));
        var turnCheck = new Command("turn-check", "Ask the server to test its TURN relays (used by calls behind NAT); exits 1 when one fails.");
        turnCheck.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s => s.TurnCheckAsync(cancellationToken)));
        root.Subcommands.Add(turnCheck);
    }

    private static Command Profile(Option<DirectoryInfo> profile)
    {
        var name = new Option<string?>("--name") { Description = "Your display name (1-25 characters)" };
        var about = new Option<string?>("--about") { Description = "Your about text (up to 139 characters)" };
        var photo = new Option<FileInfo?>("--photo") { Description = "A JPEG, PNG or WebP image for your profile photo" };
        var set = new Command("set", "Set your name, about text and/or photo.") { name, about, photo };
        set.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s =>
            s.ProfileSetAsync(parse.GetValue(name), parse.GetValue(about), parse.GetValue(photo), cancellationToken)));
        var number = new Argument<string>("number") { Description = "Whose profile (E.164)" };
        var save = new Option<FileInfo?>("--save-photo") { Description = "Write their photo (if you may see it) to this file" };
        var show = new Command("show", "Show someone's name, about text and whether you may see a photo.") { number, save };
        show.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s =>
            s.ProfileShowAsync(parse.GetValue(number)!, parse.GetValue(save), cancellationToken)));
        return new Command("profile", "Your profile, and other people's.") { set, show };
    }

    private static Command Presence(Option<DirectoryInfo> profile)
    {
        var number = new Argument<string>("number") { Description = "Whose presence (E.164)" };
        var watch = new Option<double>("--watch") { Description = "Keep printing changes (presence and typing) for this many seconds" };
        var command = new Command("presence", "Print \"online\", \"last seen <time>\" or \"last seen hidden\" for a number.") { number, watch };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s =>
            s.PresenceAsync(parse.GetValue(number)!, TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(watch))), cancellationToken)));
        return command;
    }

    private static Command Privacy(Option<DirectoryInfo> profile)
    {
        var setting = new Argument<string>("setting") { Description = "last-seen, photo, about, groups or read-receipts" };
        var value = new Argument<string>("value") { Description = "everyone, contacts, contacts-except, nobody (read-receipts: on or off)" };
        var except = new Option<string[]>("--except") { Description = "With contacts-except: the numbers to leave out", AllowMultipleArgumentsPerToken = true };
        var set = new Command("set", "Change one privacy setting.") { setting, value, except };
        set.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s =>
            s.PrivacySetAsync(parse.GetValue(setting)!, parse.GetValue(value)!, parse.GetValue(except), cancellationToken)));
        var show = new Command("show", "Print your privacy settings.");
        show.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s => s.PrivacyShowAsync(cancellationToken)));
        return new Command("privacy", "Who sees your last seen, photo and about, who may add you to groups, read receipts.") { set, show };
    }

    private static Command Blocking(Option<DirectoryInfo> profile, string verb, string description, Func<ProfileSession, string, CancellationToken, Task<int>> run)
    {
        var number = new Argument<string>("number") { Description = "The number (E.164)" };
        var command = new Command(verb, description) { number };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s => run(s, parse.GetValue(number)!, cancellationToken)));
        return command;
    }

    private static Command Contacts(Option<DirectoryInfo> profile)
    {
        var file = new Argument<FileInfo>("file") { Description = "A text file with one phone number per line (E.164; spaces, dashes and brackets are ignored)" };
        var sync = new Command("sync", "Upload your address book's numbers (no names) and print which of them use Parley.") { file };
        sync.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s => s.ContactsSyncAsync(parse.GetValue(file)!, cancellationToken)));
        return new Command("contacts", "Contact discovery.") { sync };
    }

    private static Command Pin(Option<DirectoryInfo> profile)
    {
        var pin = new Option<string?>("--pin") { Description = "The new 6-digit PIN (asked on stdin when absent)" };
        var current = new Option<string?>("--current") { Description = "The current PIN, when changing or removing one (asked on stdin when needed)" };
        var set = new Command("set", "Turn on two-step verification with a 6-digit PIN, or change the PIN.") { pin, current };
        set.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s =>
            s.PinSetAsync(parse.GetValue(pin), parse.GetValue(current), cancellationToken)));
        var remove = new Command("remove", "Turn two-step verification off.") { current };
        remove.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, s =>
            s.PinRemoveAsync(parse.GetValue(current), cancellationToken)));
        return new Command("pin", "Two-step verification: registering your number again will need this PIN.") { set, remove };
    }
}
