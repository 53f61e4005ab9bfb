using System.CommandLine;

namespace Parley.Cli;

/// <summary>Linked devices: `link` on the new device, `devices` on the primary.</summary>
public static partial class CliCommands
{
    private static Command Link(Option<DirectoryInfo> profile)
    {
        var server = new Option<string>("--server") { Description = "URL of the Parley server, e.g. http://127.0.0.1:8080", Required = true };
        var code = new Option<string?>("--code")
        {
            Description = "The link code the primary shows (parley devices --new-code), or its parley://link URI; asked on stdin when absent",
        };
        var name = new Option<string?>("--name") { Description = "A name for this device, shown on the primary" };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the primary's approval (default 600)",
            DefaultValueFactory = _ => 600,
        };
        var command = new Command("link", "Link this profile as a new device of an existing account (the primary approves it).") { server, code, name, timeout };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.LinkAsync(parse.GetValue(server)!, parse.GetValue(code), parse.GetValue(name), TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))),
                cancellationToken)));
        return command;
    }

    private static Command Devices(Option<DirectoryInfo> profile)
    {
        var newCode = new Option<bool>("--new-code") { Description = "Print a new single-use link code and its QR payload for `parley link` on the new device" };
        var approve = new Option<bool>("--approve") { Description = "Approve the devices waiting for approval (compare their fingerprints first) and send them recent history" };
        var unlink = new Option<int?>("--unlink") { Description = "Unlink the device with this id; it is logged out at once" };
        var command = new Command("devices", "List this account's devices; on the primary, link (--new-code, --approve) and unlink them.") { newCode, approve, unlink };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.DevicesAsync(parse.GetValue(newCode), parse.GetValue(approve), parse.GetValue(unlink), cancellationToken)));
        return command;
    }
}
