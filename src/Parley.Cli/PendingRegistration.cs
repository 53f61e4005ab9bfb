using System.Text.Json;

namespace Parley.Cli;

/// <summary>
/// A registration waiting for its SMS code, remembered in the profile so that
/// `register ... --code` in a later run verifies the session whose code the user received.
/// </summary>
internal sealed record PendingRegistration(string Number, string Server, string SessionId)
{
    private const string FileName = "pending-registration.json";

    public static async Task<PendingRegistration?> LoadAsync(DirectoryInfo profile)
    {
        var path = Path.Combine(profile.FullName, FileName);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<PendingRegistration>(await File.ReadAllTextAsync(path));
        }
        catch (JsonException)
        {
            return null; // a damaged file just means "start a new registration"
        }
    }

    public async Task SaveAsync(DirectoryInfo profile) =>
        await File.WriteAllTextAsync(Path.Combine(profile.FullName, FileName), JsonSerializer.Serialize(this));

    public static void Delete(DirectoryInfo profile) => File.Delete(Path.Combine(profile.FullName, FileName));
}
