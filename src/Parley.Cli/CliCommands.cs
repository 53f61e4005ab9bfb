using System.CommandLine;

namespace Parley.Cli;

/// <summary>
/// The command-line contract scripts rely on: command names, arguments, options and output shapes
/// only ever grow. Every command prints errors as one "error: ..." line on stderr and exits 1.
/// </summary>
public static partial class CliCommands
{
    public static RootCommand Build()
    {
        var profile = new Option<DirectoryInfo>("--profile")
        {
            Description = "Directory of this device's profile (keys, sessions, history). Default: ~/.parley",
            Recursive = true,
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".parley")),
        };
        var root = new RootCommand("Parley: an end-to-end encrypted messenger in the terminal.");
        root.Options.Add(profile);
        root.Subcommands.Add(Register(profile));
        root.Subcommands.Add(Send(profile));
        root.Subcommands.Add(SendFile(profile));
        root.Subcommands.Add(Receive(profile));
        root.Subcommands.Add(Chats(profile));
        root.Subcommands.Add(History(profile));
        root.Subcommands.Add(SafetyNumber(profile));
        root.Subcommands.Add(Link(profile));
        root.Subcommands.Add(Devices(profile));
        root.Subcommands.Add(Group(profile));
        root.Subcommands.Add(Groups(profile));
        AddPrivacyCommands(root, profile);
        return root;
    }

    private static Command Register(Option<DirectoryInfo> profile)
    {
        var number = new Argument<string>("number") { Description = "Your phone number in E.164 form, e.g. +4915112345678" };
        var server = new Option<string>("--server") { Description = "URL of the Parley server, e.g. http://127.0.0.1:8080", Required = true };
        var code = new Option<string?>("--code") { Description = "The 6-digit verification code (asked on stdin when absent)" };
        var name = new Option<string?>("--name") { Description = "A name for this device" };
        var pin = new Option<string?>("--pin") { Description = "The number's two-step verification PIN, if it has one (asked on stdin when needed)" };
        var command = new Command("register", "Register this profile's device for a number (verifies it with a code).") { number, server, code, name, pin };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.RegisterAsync(parse.GetValue(number)!, parse.GetValue(server)!, parse.GetValue(code), parse.GetValue(name), parse.GetValue(pin),
                cancellationToken)));
        return command;
    }

    private static Command Send(Option<DirectoryInfo> profile)
    {
        var number = new Argument<string>("number") { Description = "The recipient's number (E.164)" };
        var text = new Argument<string>("text") { Description = "The message" };
        var replyTo = ReplyToOption();
        var command = new Command("send", "Encrypt and send a message; exits 0 once the server stored it (\"sent\").") { number, text, replyTo };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.SendAsync(parse.GetValue(number)!, parse.GetValue(text)!, parse.GetValue(replyTo), cancellationToken)));
        return command;
    }

    private static Option<string?> ReplyToOption() =>
        new("--reply-to") { Description = "Reply to this message (its id, as `receive --json` prints it): both sides show it quoted" };

    private static Command Receive(Option<DirectoryInfo> profile)
    {
        var timeout = new Option<double>("--timeout")
        {
            Description = "Exit after this many seconds without a new message (default 10)",
            DefaultValueFactory = _ => 10,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per message instead of \"<number>: <text>\"" };
        var files = new Option<DirectoryInfo>("--files")
        {
            Description = "Folder that received files are saved in, under the names their senders gave (default: ./parley-files)",
            DefaultValueFactory = _ => new DirectoryInfo("parley-files"),
        };
        var command = new Command("receive", "Print incoming messages (and acknowledge them) until none arrive for --timeout seconds; save received files.")
        {
            timeout, json, files,
        };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.ReceiveAsync(TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(timeout))), parse.GetValue(json), parse.GetValue(files)!, cancellationToken)));
        return command;
    }

    private static Command Chats(Option<DirectoryInfo> profile)
    {
        var command = new Command("chats", "List conversations, most recent first.");
        command.SetAction((parse, _) => ProfileSession.RunAsync(parse.GetValue(profile)!, session => session.ChatsAsync()));
        return command;
    }

    private static Command History(Option<DirectoryInfo> profile)
    {
        var number = new Argument<string>("number") { Description = "The other person's number (E.164)" };
        var command = new Command("history", "Print the conversation with a number, oldest first.") { number };
        command.SetAction((parse, _) => ProfileSession.RunAsync(parse.GetValue(profile)!, session => session.HistoryAsync(parse.GetValue(number)!)));
        return command;
    }

    private static Command SafetyNumber(Option<DirectoryInfo> profile)
    {
        var number = new Argument<string>("number") { Description = "The other person's number (E.164)" };
        var command = new Command("safety-number", "Print the 60-digit safety number to compare with the other person's phone.") { number };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.SafetyNumberAsync(parse.GetValue(number)!, cancellationToken)));
        return command;
    }
}
