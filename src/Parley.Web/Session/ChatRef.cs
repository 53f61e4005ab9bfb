namespace Parley.Web.Session;

/// <summary>Which chat is meant: a person by phone number, or a group by id. <see cref="Key"/> names it in local state.</summary>
public sealed record ChatRef(string? Number, string? GroupId)
{
    public static ChatRef Direct(string number) => new(number, null);

    public static ChatRef Group(string groupId) => new(null, groupId);

    public bool IsGroup => GroupId is not null;

    public string Key => GroupId is null ? Number! : "group:" + GroupId;

    public static ChatRef FromKey(string key) =>
        key.StartsWith("group:", StringComparison.Ordinal) ? Group(key["group:".Length..]) : Direct(key);
}
