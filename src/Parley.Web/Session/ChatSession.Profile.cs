using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Protocol.Rest;

namespace Parley.Web.Session;

/// <summary>Profiles (ours and contacts'), blocking and the contacts synced from an address book.</summary>
public sealed partial class ChatSession
{
    /// <summary>The largest photo the server takes (its default limit).</summary>
    public const long MaxPhotoBytes = 5 * 1024 * 1024;

    private readonly Dictionary<string, ContactProfile?> _profiles = new(StringComparer.Ordinal);
    private HashSet<string>? _blocked;

    /// <summary>Just registered: the onboarding asks for a name and a photo before the chats open.</summary>
    public bool NeedsProfile { get; private set; }

    /// <summary>Sets our name, about text and photo (a null photo keeps the current one).</summary>
    public async Task SaveProfileAsync(string name, string? about, byte[]? photo)
    {
        var client = Client!;
        await client.SetProfileAsync(name.Trim(), about?.Trim());
        if (photo is not null)
        {
            await client.SetProfilePhotoAsync(photo);
        }
        _profiles.Remove(client.Number);
        NeedsProfile = false;
        Notify();
    }

    public void SkipProfile()
    {
        NeedsProfile = false;
        Notify();
    }

    /// <summary>A profile as the owner's privacy settings let us see it; null when unknown or unreachable. Asked once per number and session.</summary>
    public async Task<ContactProfile?> ProfileOfAsync(string number)
    {
        if (_profiles.TryGetValue(number, out var known))
        {
            return known;
        }
        try
        {
            _profiles[number] = await Client!.GetProfileAsync(number);
        }
        catch (UnknownNumberException)
        {
            _profiles[number] = null; // not a Parley user
        }
        catch (Exception error) when (error is ParleyApiException or HttpRequestException)
        {
            return null; // not cached: asked again next time (e.g. once online)
        }
        return _profiles[number];
    }

    /// <summary>The profile name of a number once it was loaded, else null (screens fall back to the number).</summary>
    public string? NameOf(string? number) =>
        number is not null && _profiles.GetValueOrDefault(number) is { Name.Length: > 0 } profile ? profile.Name : null;

    /// <summary>The profile name of a number when loaded, else the number itself (as WhatsApp labels quotes and senders).</summary>
    public string DisplayName(string number) => NameOf(number) ?? number;

    /// <summary>A photo as a data URL for an img element, or null when there is none we may see.</summary>
    public async Task<string?> PhotoUrlOfAsync(string number)
    {
        try
        {
            return await Client!.GetProfilePhotoAsync(number) is { Length: > 0 } image ? DataUrl(image) : null;
        }
        catch (Exception error) when (error is ParleyApiException or HttpRequestException or UnknownNumberException)
        {
            return null;
        }
    }

    /// <summary>A decrypted photo as a data URL for an img element.</summary>
    public static string DataUrl(byte[] image) => $"data:{ImageType(image)};base64,{Convert.ToBase64String(image)}";

    private static string ImageType(byte[] image) => image switch
    {
        [0x89, (byte)'P', ..] => "image/png",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', ..] => "image/webp",
        _ => "image/jpeg",
    };

    /// <summary>Whether we blocked a number (the list is loaded from the server once per session).</summary>
    public async Task<bool> IsBlockedAsync(string number)
    {
        try
        {
            return (await BlockedSetAsync()).Contains(number);
        }
        catch (Exception error) when (error is ParleyApiException or HttpRequestException)
        {
            return false; // offline: asked again on the next refresh
        }
    }

    public async Task<IReadOnlyCollection<string>> BlockedAsync() => await BlockedSetAsync();

    /// <summary>Blocks or unblocks a number: a blocked number's messages never reach us, and they are not told.</summary>
    public async Task SetBlockedAsync(string number, bool blocked)
    {
        var set = await BlockedSetAsync(); // loaded before the change, so it stays complete
        if (blocked)
        {
            await Client!.BlockAsync(number);
            set.Add(number);
        }
        else
        {
            await Client!.UnblockAsync(number);
            set.Remove(number);
        }
        Notify();
    }

    private async Task<HashSet<string>> BlockedSetAsync() =>
        _blocked ??= new HashSet<string>((await Client!.ListBlockedAsync()).Select(b => b.Number), StringComparer.Ordinal);

    /// <summary>Uploads address-book numbers; the Parley users among them become contacts we can start a chat with.</summary>
    public async Task<IReadOnlyList<RegisteredContact>> SyncContactsAsync(IEnumerable<string> numbers)
    {
        var registered = await Client!.SyncContactsAsync(numbers);
        Notify();
        return registered;
    }

    /// <summary>Everyone we know (synced or chatted with), by name when we know it.</summary>
    public async Task<IReadOnlyList<(string Number, string? Name)>> ContactsAsync()
    {
        var contacts = await Store.ListContactsAsync();
        var own = Client!.Number;
        var list = new List<(string Number, string? Name)>();
        foreach (var contact in contacts.Where(c => c.Number != own))
        {
            list.Add((contact.Number, (await ProfileOfAsync(contact.Number))?.Name is { Length: > 0 } name ? name : null));
        }
        return [.. list.OrderBy(c => c.Name ?? c.Number, StringComparer.OrdinalIgnoreCase)];
    }
}
