using Parley.Protocol.Rest;

namespace Parley.Client.Api;

/// <summary>Group management: every change also reaches all members as a GROUP_EVENT envelope.</summary>
public sealed partial class ParleyApi
{
    public Task<GroupResponse> CreateGroupAsync(DeviceCredentials credentials, CreateGroupRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Post, "v1/groups", request, credentials, cancellationToken);

    public Task<GroupListResponse> ListGroupsAsync(DeviceCredentials credentials, CancellationToken cancellationToken = default) =>
        SendAsync<GroupListResponse>(HttpMethod.Get, "v1/groups", null, credentials, cancellationToken);

    /// <summary>Members only: others get <c>not_a_member</c> (404).</summary>
    public Task<GroupResponse> GetGroupAsync(DeviceCredentials credentials, string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Get, GroupPath(groupId), null, credentials, cancellationToken);

    public Task<GroupResponse> UpdateGroupAsync(DeviceCredentials credentials, string groupId, UpdateGroupRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Patch, GroupPath(groupId), request, credentials, cancellationToken);

    public Task<GroupResponse> AddGroupMembersAsync(DeviceCredentials credentials, string groupId, IReadOnlyList<string> accountIds, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Post, GroupPath(groupId) + "/members", new AddMembersRequest(accountIds), credentials, cancellationToken);

    /// <summary>Removes a member (admins); with the caller's own account id, leaves the group.</summary>
    public Task<GroupResponse> RemoveGroupMemberAsync(DeviceCredentials credentials, string groupId, string accountId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Delete, $"{GroupPath(groupId)}/members/{Uri.EscapeDataString(accountId)}", null, credentials, cancellationToken);

    public Task<GroupResponse> SetGroupAdminAsync(DeviceCredentials credentials, string groupId, string accountId, bool admin, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(admin ? HttpMethod.Put : HttpMethod.Delete, $"{GroupPath(groupId)}/admins/{Uri.EscapeDataString(accountId)}", null, credentials, cancellationToken);

    public Task<InviteLinkResponse> CreateGroupInviteLinkAsync(DeviceCredentials credentials, string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<InviteLinkResponse>(HttpMethod.Post, GroupPath(groupId) + "/invite-link", null, credentials, cancellationToken);

    public Task<GroupResponse> RevokeGroupInviteLinkAsync(DeviceCredentials credentials, string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Delete, GroupPath(groupId) + "/invite-link", null, credentials, cancellationToken);

    public Task<GroupResponse> JoinGroupAsync(DeviceCredentials credentials, string token, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Post, "v1/groups/join", new JoinGroupRequest(token), credentials, cancellationToken);

    /// <summary>Each member's delivered/read time of a message the caller sent to the group.</summary>
    public Task<MessageInfoResponse> GetGroupMessageInfoAsync(DeviceCredentials credentials, string groupId, byte[] messageId, CancellationToken cancellationToken = default) =>
        SendAsync<MessageInfoResponse>(HttpMethod.Get, $"{GroupPath(groupId)}/messages/{Convert.ToHexStringLower(messageId)}/info", null, credentials, cancellationToken);

    /// <summary>Sets the group photo: <paramref name="blob"/> is the photo already encrypted (PhotoCipher, group kind).</summary>
    public Task<GroupResponse> SetGroupPhotoAsync(DeviceCredentials credentials, string groupId, byte[] blob, CancellationToken cancellationToken = default) =>
        PutBytesAsync<GroupResponse>(GroupPath(groupId) + "/photo", blob, "application/octet-stream", credentials, cancellationToken);

    public Task<GroupResponse> RemoveGroupPhotoAsync(DeviceCredentials credentials, string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupResponse>(HttpMethod.Delete, GroupPath(groupId) + "/photo", null, credentials, cancellationToken);

    /// <summary>The group photo's encrypted blob, or null when the group has none.</summary>
    public Task<byte[]?> GetGroupPhotoAsync(DeviceCredentials credentials, string groupId, CancellationToken cancellationToken = default) =>
        GetBytesOrNullAsync(GroupPath(groupId) + "/photo", credentials, cancellationToken);

    private static string GroupPath(string groupId) => "v1/groups/" + Uri.EscapeDataString(groupId);
}
