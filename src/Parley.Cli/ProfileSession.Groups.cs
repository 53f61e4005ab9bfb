using System.Globalization;
using System.Text.Json;
using Parley.Client.Messaging;
using Parley.Client.Storage;

namespace Parley.Cli;

/// <summary>Group chats: management over REST, sending with Sender Keys, message info, and how `receive` prints group traffic.</summary>
internal sealed partial class ProfileSession
{
    public async Task<int> GroupsAsync(CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        await client.RefreshGroupsAsync(cancellationToken);
        foreach (var group in await client.ListGroupsAsync())
        {
            var admin = group.Member(client.AccountId)?.Admin == true ? "\tadmin" : "";
            var left = group.IsMember ? "" : "\t(left)";
            await Console.Out.WriteLineAsync($"{group.GroupId}\t{group.Name}\t{group.Members.Count} members{admin}{left}");
        }
        return 0;
    }

    public async Task<int> GroupCreateAsync(string name, string[] numbers, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var group = await client.CreateGroupAsync(name, numbers, cancellationToken: cancellationToken);
        await Console.Out.WriteLineAsync($"created {group.GroupId} \"{group.Name}\" with {group.Members.Count} members");
        return 0;
    }

    public async Task<int> GroupAddAsync(string groupName, string[] numbers, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var group = await client.FindGroupAsync(groupName, cancellationToken);
        group = await client.AddGroupMembersAsync(group.GroupId, numbers, cancellationToken);
        await Console.Out.WriteLineAsync($"added {string.Join(", ", numbers)} to \"{group.Name}\" ({group.Members.Count} members)");
        return 0;
    }

    public async Task<int> GroupRemoveAsync(string groupName, string number, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var group = await client.FindGroupAsync(groupName, cancellationToken);
        group = await client.RemoveGroupMemberAsync(group.GroupId, number, cancellationToken);
        await Console.Out.WriteLineAsync($"removed {number} from \"{group.Name}\" ({group.Members.Count} members)");
        return 0;
    }

    public async Task<int> GroupSetAdminAsync(string groupName, string number, bool admin, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var group = await client.FindGroupAsync(groupName, cancellationToken);
        group = await client.SetGroupAdminAsync(group.GroupId, number, admin, cancellationToken);
        await Console.Out.WriteLineAsync($"{(admin ? "promoted" : "demoted")} {number} in \"{group.Name}\"");
        return 0;
    }

    public async Task<int> GroupLeaveAsync(string groupName, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var group = await client.FindGroupAsync(groupName, cancellationToken);
        await client.LeaveGroupAsync(group.GroupId, cancellationToken);
        await Console.Out.WriteLineAsync($"left \"{group.Name}\"");
        return 0;
    }

    public async Task<int> GroupSendAsync(string groupName, string text, string? replyToHex, CancellationToken cancellationToken)
    {
        var replyTo = replyToHex is null ? null : ParseMessageId(replyToHex, "`receive --json` printed");
        await using var client = await ConnectAsync(receive: false, cancellationToken);
        var group = await client.FindGroupAsync(groupName, cancellationToken);
        // This one-shot process does not read group events: ask for the membership, so a removal retires our key first.
        await client.RefreshGroupAsync(group.GroupId, cancellationToken);
        var sent = await client.SendGroupTextAsync(group.GroupId, text, replyTo, cancellationToken);
        await Console.Out.WriteLineAsync($"sent {Convert.ToHexStringLower(sent.MessageId)}");
        return 0;
    }

    public async Task<int> GroupPhotoAsync(string groupName, FileInfo? set, FileInfo? save, bool remove, CancellationToken cancellationToken)
    {
        if ((set is null ? 0 : 1) + (save is null ? 0 : 1) + (remove ? 1 : 0) != 1)
        {
            throw new CliException("give exactly one of --set <image>, --save <file> or --remove.");
        }
        if (set is { Exists: false })
        {
            throw new CliException($"no such file: {set.FullName}");
        }
        await using var client = await ConnectAsync(receive: false, cancellationToken);
        var group = await client.RefreshGroupAsync((await client.FindGroupAsync(groupName, cancellationToken)).GroupId, cancellationToken);
        if (set is not null)
        {
            await client.SetGroupPhotoAsync(group.GroupId, await File.ReadAllBytesAsync(set.FullName, cancellationToken), cancellationToken);
            await Console.Out.WriteLineAsync($"group photo of \"{group.Name}\" set");
        }
        else if (remove)
        {
            await client.RemoveGroupPhotoAsync(group.GroupId, cancellationToken);
            await Console.Out.WriteLineAsync($"group photo of \"{group.Name}\" removed");
        }
        else if (await client.GetGroupPhotoAsync(group.GroupId, cancellationToken) is { } photo)
        {
            await File.WriteAllBytesAsync(save!.FullName, photo, cancellationToken);
            await Console.Out.WriteLineAsync($"group photo saved to {save.FullName}");
        }
        else
        {
            // Either none, or its key (sent by the member who set it, inside the group's messages) has not been received yet.
            await Console.Out.WriteLineAsync(group.Picture.Length == 0 ? "the group has no photo" : "no key for the group photo yet: run `receive` first");
        }
        return 0;
    }

    public async Task<int> GroupInfoAsync(string groupName, string messageIdHex, CancellationToken cancellationToken)
    {
        var messageId = ParseMessageId(messageIdHex, "`group send` printed");
        await using var client = await OpenClientAsync();
        var group = await client.FindGroupAsync(groupName, cancellationToken);
        foreach (var member in await client.GetGroupMessageInfoAsync(group.GroupId, messageId, cancellationToken))
        {
            await Console.Out.WriteLineAsync($"{member.Number ?? member.AccountId}\tdelivered {Time(member.DeliveredAt)}\tread {Time(member.ReadAt)}");
        }
        return 0;
    }

    /// <summary>`receive`: group messages as "[name] +E164: text" (or JSON with a "group" member), group changes as "[name] what happened".</summary>
    private static void PrintGroupTraffic(ParleyClient client, bool json, SemaphoreSlim arrived, FileReceiver files)
    {
        client.GroupMessageReceived += message =>
        {
            var name = client.FindGroupAsync(message.GroupId).GetAwaiter().GetResult().Name;
            if (message.Attachment is { } file)
            {
                files.Receive($"[{name}] ", message.SenderNumber, message.Text, file, message.Timestamp, message.MessageId, name);
                return;
            }
            Print(json
                ? JsonSerializer.Serialize(new ReceivedGroupLine(name, message.GroupId, message.SenderNumber, message.Text, message.Timestamp,
                    Convert.ToHexStringLower(message.MessageId), QuotedLine.Of(message.Quote, client.AccountId)), Json)
                : $"{QuotePrefix(message.Quote, client.AccountId)}[{name}] {message.SenderNumber}: {message.Text}");
            arrived.Release();
        };
        client.GroupChanged += change =>
        {
            if (!json)
            {
                Print($"[{change.Group.Name}] {change.Description}");
            }
            arrived.Release();
        };
    }

    private static void Print(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    private static string Time(long? unixMs) => unixMs is { } ms
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : "-";

    /// <summary>The JSON shape of one received group message (--json).</summary>
    private sealed record ReceivedGroupLine(string Group, string GroupId, string From, string Text, long Timestamp, string Id,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] QuotedLine? Quote = null);
}
