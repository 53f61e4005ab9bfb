using Parley.Protocol.Rest;

namespace Parley.Server.Privacy;

/// <summary>What a privacy setting protects. Stored as integers: never renumber.</summary>
public enum PrivacyTopic
{
    LastSeen = 0,
    ProfilePhoto = 1,
    About = 2,
    Groups = 3,
}

/// <summary>Who may see (or, for groups, add me). Stored as integers: never renumber.</summary>
public enum Audience
{
    Everyone = 0,
    Contacts = 1,
    ContactsExcept = 2,
    Nobody = 3,
}

/// <summary>One account's privacy settings, exceptions and block list, as the policy needs them.</summary>
public sealed record AccountPrivacy(
    IReadOnlyDictionary<PrivacyTopic, Audience> Audiences,
    bool ReadReceipts,
    IReadOnlyDictionary<PrivacyTopic, IReadOnlySet<string>> Exceptions,
    IReadOnlySet<string> Blocked)
{
    /// <summary>WhatsApp's classic defaults: everything visible to everyone, read receipts on.</summary>
    public static readonly AccountPrivacy Default = new(
        Enum.GetValues<PrivacyTopic>().ToDictionary(topic => topic, _ => Audience.Everyone), true,
        new Dictionary<PrivacyTopic, IReadOnlySet<string>>(), new HashSet<string>());

    public Audience AudienceOf(PrivacyTopic topic) => Audiences.GetValueOrDefault(topic, Audience.Everyone);

    public IReadOnlySet<string> ExceptionsOf(PrivacyTopic topic) => Exceptions.GetValueOrDefault(topic) ?? new HashSet<string>();

    public static string ToWire(Audience audience) => audience switch
    {
        Audience.Contacts => Protocol.Rest.Audiences.Contacts,
        Audience.ContactsExcept => Protocol.Rest.Audiences.ContactsExcept,
        Audience.Nobody => Protocol.Rest.Audiences.Nobody,
        _ => Protocol.Rest.Audiences.Everyone,
    };

    public static Audience? FromWire(string value) => value switch
    {
        Protocol.Rest.Audiences.Everyone => Audience.Everyone,
        Protocol.Rest.Audiences.Contacts => Audience.Contacts,
        Protocol.Rest.Audiences.ContactsExcept => Audience.ContactsExcept,
        Protocol.Rest.Audiences.Nobody => Audience.Nobody,
        _ => null,
    };
}
