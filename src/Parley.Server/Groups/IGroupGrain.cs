namespace Parley.Server.Groups;

/// <summary>
/// One per group, keyed by group id: owns membership (every change goes through it, so a removed
/// member stops receiving at once) and fans messages out. Its state is a cache of the database.
/// </summary>
public interface IGroupGrain : IGrainWithStringKey
{
    Task<GroupOutcome> Create(string creator, string name, string description, string picture, string[] members);

    Task<GroupOutcome> Get(string requester);

    Task<GroupOutcome> Update(string actor, GroupInfoChange change);

    Task<GroupOutcome> AddMembers(string actor, string[] accounts);

    /// <summary>Removes <paramref name="target"/>; when actor and target are the same, the member leaves.</summary>
    Task<GroupOutcome> RemoveMember(string actor, string target);

    Task<GroupOutcome> SetAdmin(string actor, string target, bool admin);

    Task<GroupOutcome> SetInviteLink(string actor, bool enabled);

    Task<GroupOutcome> JoinByLink(string account, string token);

    /// <summary>Fans out a batch of messages in one commit; an outcome per message, in order (a non-member's is refused alone).</summary>
    Task<GroupSendOutcome[]> Send(GroupMessage[] messages);

    /// <summary>Pushes an ephemeral typing frame to the other members' online devices; false when the sender is not a member.</summary>
    Task<bool> RelayTyping(string senderAccount, int senderDevice, byte[] frame);
}
