using System.Globalization;
using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;

namespace Parley.Cli;

/// <summary>Profile, presence, privacy, blocking, contact discovery and two-step PIN commands.</summary>
internal sealed partial class ProfileSession
{
    public async Task<int> ProfileSetAsync(string? name, string? about, FileInfo? photo, CancellationToken cancellationToken)
    {
        if (name is null && about is null && photo is null)
        {
            throw new CliException("nothing to set: give --name, --about and/or --photo.");
        }
        if (photo is { Exists: false })
        {
            throw new CliException($"no such file: {photo.FullName}");
        }
        await using var client = await OpenClientAsync();
        if (name is not null || about is not null)
        {
            await client.SetProfileAsync(name, about, cancellationToken);
        }
        if (photo is not null)
        {
            await client.SetProfilePhotoAsync(await File.ReadAllBytesAsync(photo.FullName, cancellationToken), cancellationToken);
        }
        await Console.Out.WriteLineAsync("profile updated");
        return 0;
    }

    public async Task<int> ProfileShowAsync(string number, FileInfo? savePhoto, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var profile = await client.GetProfileAsync(number, cancellationToken);
        await Console.Out.WriteLineAsync($"name: {profile.Name}");
        await Console.Out.WriteLineAsync($"about: {profile.About ?? "(hidden or not set)"}");
        await Console.Out.WriteLineAsync($"photo: {(profile.HasPhoto ? "yes" : "(hidden or not set)")}");
        if (savePhoto is not null && profile.HasPhoto)
        {
            if (await client.GetProfilePhotoAsync(number, cancellationToken) is { } photo)
            {
                await File.WriteAllBytesAsync(savePhoto.FullName, photo, cancellationToken);
                await Console.Out.WriteLineAsync($"photo saved to {savePhoto.FullName}");
            }
            else
            {
                // Encrypted under their profile key, which arrives with their first message to us.
                await Console.Out.WriteLineAsync("photo not saved: it is end-to-end encrypted, and readable once they have written to you");
            }
        }
        return 0;
    }

    public async Task<int> PresenceAsync(string number, TimeSpan watch, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(receive: false, cancellationToken);
        client.PresenceChanged += presence => Console.Out.WriteLine(Describe(presence));
        client.TypingChanged += typing =>
        {
            if (typing.GroupId is null && typing.Number == number)
            {
                Console.Out.WriteLine(typing.State switch
                {
                    TypingState.Typing => "typing…",
                    TypingState.Recording => "recording audio…",
                    _ => "stopped typing",
                });
            }
        };
        var current = (await client.WatchPresenceAsync([number], cancellationToken))[0];
        await Console.Out.WriteLineAsync(Describe(current));
        if (watch > TimeSpan.Zero)
        {
            await Task.Delay(watch, cancellationToken);
        }
        return 0;

        static string Describe(Client.Messaging.PresenceInfo presence) =>
            presence.Online ? "online"
            : presence.LastSeen is { } seen ? $"last seen {seen.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}"
            : "last seen hidden";
    }

    public async Task<int> PrivacySetAsync(string setting, string value, string[]? except, CancellationToken cancellationToken)
    {
        var audience = value.Replace('-', '_');
        if (setting != "read-receipts" && audience is not (Audiences.Everyone or Audiences.Contacts or Audiences.ContactsExcept or Audiences.Nobody))
        {
            throw new CliException($"\"{value}\" is not a value for {setting}: use everyone, contacts, contacts-except or nobody.");
        }
        IReadOnlyList<string>? excluded = except is { Length: > 0 } ? except : null;
        var change = setting switch
        {
            "last-seen" => new PrivacySettingsDto(LastSeen: audience, LastSeenExcept: excluded),
            "photo" => new PrivacySettingsDto(ProfilePhoto: audience, ProfilePhotoExcept: excluded),
            "about" => new PrivacySettingsDto(About: audience, AboutExcept: excluded),
            "groups" => new PrivacySettingsDto(Groups: audience, GroupsExcept: excluded),
            "read-receipts" => new PrivacySettingsDto(ReadReceipts: value switch
            {
                "on" => true,
                "off" => false,
                _ => throw new CliException($"read-receipts is on or off, not \"{value}\"."),
            }),
            _ => throw new CliException($"unknown setting \"{setting}\": use last-seen, photo, about, groups or read-receipts."),
        };
        await using var client = await OpenClientAsync();
        await PrintPrivacyAsync(await client.SetPrivacyAsync(change, cancellationToken));
        return 0;
    }

    public async Task<int> PrivacyShowAsync(CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        await PrintPrivacyAsync(await client.GetPrivacyAsync(cancellationToken));
        return 0;
    }

    private static async Task PrintPrivacyAsync(PrivacySettingsDto settings)
    {
        static string Line(string? audience, IReadOnlyList<string>? except) =>
            (audience ?? Audiences.Everyone).Replace('_', '-') + (audience == Audiences.ContactsExcept && except is { Count: > 0 } ? " " + string.Join(' ', except) : "");
        await Console.Out.WriteLineAsync($"last-seen: {Line(settings.LastSeen, settings.LastSeenExcept)}");
        await Console.Out.WriteLineAsync($"photo: {Line(settings.ProfilePhoto, settings.ProfilePhotoExcept)}");
        await Console.Out.WriteLineAsync($"about: {Line(settings.About, settings.AboutExcept)}");
        await Console.Out.WriteLineAsync($"groups: {Line(settings.Groups, settings.GroupsExcept)}");
        await Console.Out.WriteLineAsync($"read-receipts: {(settings.ReadReceipts != false ? "on" : "off")}");
    }

    public async Task<int> BlockAsync(string number, bool block, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        await (block ? client.BlockAsync(number, cancellationToken) : client.UnblockAsync(number, cancellationToken));
        await Console.Out.WriteLineAsync(block ? $"blocked {number}" : $"unblocked {number}");
        return 0;
    }

    public async Task<int> BlockedAsync(CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        foreach (var blocked in await client.ListBlockedAsync(cancellationToken))
        {
            await Console.Out.WriteLineAsync(blocked.Number);
        }
        return 0;
    }

    public async Task<int> ContactsSyncAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CliException($"no such file: {file.FullName}");
        }
        var numbers = (await File.ReadAllLinesAsync(file.FullName, cancellationToken))
            .Select(line => new string([.. line.Where(c => !char.IsWhiteSpace(c) && c is not ('-' or '(' or ')' or '.'))]))
            .Where(line => line.Length > 0)
            .ToList();
        await using var client = await OpenClientAsync();
        foreach (var contact in await client.SyncContactsAsync(numbers, cancellationToken))
        {
            await Console.Out.WriteLineAsync(contact.Number);
        }
        return 0;
    }

    public async Task<int> PinSetAsync(string? pin, string? current, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        pin ??= await AskAsync("New 6-digit PIN: ", "--pin", cancellationToken);
        if ((await client.GetTwoStepStatusAsync(cancellationToken)).PinEnabled)
        {
            current ??= await AskAsync("Current PIN: ", "--current", cancellationToken);
        }
        await client.SetPinAsync(pin, current, cancellationToken);
        await Console.Out.WriteLineAsync("two-step verification is on: registering this number again will need the PIN");
        return 0;
    }

    public async Task<int> PinRemoveAsync(string? current, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        current ??= await AskAsync("Current PIN: ", "--current", cancellationToken);
        await client.RemovePinAsync(current, cancellationToken);
        await Console.Out.WriteLineAsync("two-step verification is off");
        return 0;
    }

    /// <summary>Reads one answer from stdin, or explains which option to pass when there is none.</summary>
    private static async Task<string> AskAsync(string prompt, string option, CancellationToken cancellationToken)
    {
        await Console.Error.WriteAsync(prompt);
        var answer = await Console.In.ReadLineAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(answer))
        {
            await Console.Error.WriteLineAsync();
            throw new CliException($"nothing on stdin; pass {option}.");
        }
        return answer.Trim();
    }

    public async Task<int> TurnCheckAsync(CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var report = await client.CheckTurnAsync(cancellationToken);
        if (!report.Configured)
        {
            await Console.Out.WriteLineAsync("no TURN relay configured (Parley:Turn:Urls and Parley:Turn:Secret): calls work only where peers reach each other directly");
            return 1;
        }
        foreach (var check in report.Checks)
        {
            await Console.Out.WriteLineAsync(check.Ok
                ? $"ok\t{check.Url}\trelay {check.RelayedAddress}\t{check.Milliseconds} ms"
                : $"FAIL\t{check.Url}\t{check.Problem}");
        }
        return report.Ok ? 0 : 1;
    }
}
