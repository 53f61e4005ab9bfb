using System.CommandLine;

namespace Parley.Cli;

/// <summary>Group chats: `group create|add|remove|promote|demote|leave|send|info` and `groups`.</summary>
public static partial class CliCommands
{
    private static Command Groups(Option<DirectoryInfo> profile)
    {
        var command = new Command("groups", "List this account's groups (id, name, members), asking the server for changes first.");
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session => session.GroupsAsync(cancellationToken)));
        return command;
    }

    private static Command Group(Option<DirectoryInfo> profile)
    {
        var command = new Command("group", "Create and manage group chats, send to them, and show who got a message. <group> is the group id or its unique name.");
        command.Subcommands.Add(GroupCreate(profile));
        command.Subcommands.Add(GroupMembers(profile, "add", "Add members (admins only).", (s, g, n, c) => s.GroupAddAsync(g, n, c), many: true));
        command.Subcommands.Add(GroupMembers(profile, "remove", "Remove a member (admins only); later messages use a new sender key.", (s, g, n, c) => s.GroupRemoveAsync(g, n[0], c)));
        command.Subcommands.Add(GroupMembers(profile, "promote", "Make a member an admin (admins only).", (s, g, n, c) => s.GroupSetAdminAsync(g, n[0], true, c)));
        command.Subcommands.Add(GroupMembers(profile, "demote", "Remove a member's admin rights (admins only).", (s, g, n, c) => s.GroupSetAdminAsync(g, n[0], false, c)));
        command.Subcommands.Add(GroupLeave(profile));
        command.Subcommands.Add(GroupSend(profile));
        command.Subcommands.Add(GroupInfo(profile));
        command.Subcommands.Add(GroupPhoto(profile));
        return command;
    }

    private static Command GroupCreate(Option<DirectoryInfo> profile)
    {
        var name = new Argument<string>("name") { Description = "The group's name" };
        var numbers = new Argument<string[]>("numbers") { Description = "The other members' numbers (E.164)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("create", "Create a group with these members; you become its admin. Prints the group id.") { name, numbers };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.GroupCreateAsync(parse.GetValue(name)!, parse.GetValue(numbers)!, cancellationToken)));
        return command;
    }

    private static Command GroupMembers(Option<DirectoryInfo> profile, string verb, string description,
        Func<ProfileSession, string, string[], CancellationToken, Task<int>> run, bool many = false)
    {
        var group = new Argument<string>("group") { Description = "The group id or its unique name" };
        var numbers = new Argument<string[]>("numbers") { Description = "Member numbers (E.164)", Arity = ArgumentArity.OneOrMore };
        var number = new Argument<string>("number") { Description = "The member's number (E.164)" };
        var command = new Command(verb, description) { group, many ? numbers : number };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            run(session, parse.GetValue(group)!, many ? parse.GetValue(numbers)! : [parse.GetValue(number)!], cancellationToken)));
        return command;
    }

    private static Command GroupLeave(Option<DirectoryInfo> profile)
    {
        var group = new Argument<string>("group") { Description = "The group id or its unique name" };
        var command = new Command("leave", "Leave a group; its history stays in this profile.") { group };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.GroupLeaveAsync(parse.GetValue(group)!, cancellationToken)));
        return command;
    }

    private static Command GroupSend(Option<DirectoryInfo> profile)
    {
        var group = new Argument<string>("group") { Description = "The group id or its unique name" };
        var text = new Argument<string>("text") { Description = "The message" };
        var replyTo = ReplyToOption();
        var command = new Command("send", "Encrypt once with your sender key and send to every member; prints \"sent <message-id>\" once the server stored it.")
        {
            group, text, replyTo,
        };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.GroupSendAsync(parse.GetValue(group)!, parse.GetValue(text)!, parse.GetValue(replyTo), cancellationToken)));
        return command;
    }

    private static Command GroupPhoto(Option<DirectoryInfo> profile)
    {
        var group = new Argument<string>("group") { Description = "The group id or its unique name" };
        var set = new Option<FileInfo?>("--set") { Description = "A JPEG, PNG or WebP image: encrypted here, its key sent to the members" };
        var save = new Option<FileInfo?>("--save") { Description = "Save the group photo (decrypted) to this file" };
        var remove = new Option<bool>("--remove") { Description = "Remove the group photo" };
        var command = new Command("photo", "Set, save or remove the group photo (end-to-end encrypted).") { group, set, save, remove };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.GroupPhotoAsync(parse.GetValue(group)!, parse.GetValue(set), parse.GetValue(save), parse.GetValue(remove), cancellationToken)));
        return command;
    }

    private static Command GroupInfo(Option<DirectoryInfo> profile)
    {
        var group = new Argument<string>("group") { Description = "The group id or its unique name" };
        var messageId = new Argument<string>("message-id") { Description = "The id `group send` printed (32 hex digits)" };
        var command = new Command("info", "Message info: when each member got and read a message you sent.") { group, messageId };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.GroupInfoAsync(parse.GetValue(group)!, parse.GetValue(messageId)!, cancellationToken)));
        return command;
    }
}
