using System.Net.Http.Json;
using Parley.Client.Api;
using Parley.Protocol.Rest;

namespace Parley.Server.Tests.Groups;

/// <summary>The group REST calls as a member's device makes them; refusals come back as the problem code.</summary>
public sealed class GroupClient(Uri server, DeviceCredentials credentials)
{
    private readonly HttpClient _http = new() { BaseAddress = server };

    public Task<(GroupResponse? Value, ProblemResult? Problem)> CreateAsync(string name, params string[] members) =>
        SendAsync<GroupResponse>(HttpMethod.Post, "v1/groups", new CreateGroupRequest(name, members));

    public Task<(GroupResponse? Value, ProblemResult? Problem)> GetAsync(string groupId) =>
        SendAsync<GroupResponse>(HttpMethod.Get, $"v1/groups/{groupId}", null);

    public Task<(GroupListResponse? Value, ProblemResult? Problem)> ListAsync() =>
        SendAsync<GroupListResponse>(HttpMethod.Get, "v1/groups", null);

    public Task<(GroupResponse? Value, ProblemResult? Problem)> UpdateAsync(string groupId, UpdateGroupRequest request) =>
        SendAsync<GroupResponse>(HttpMethod.Patch, $"v1/groups/{groupId}", request);

    public Task<(GroupResponse? Value, ProblemResult? Problem)> AddAsync(string groupId, params string[] members) =>
        SendAsync<GroupResponse>(HttpMethod.Post, $"v1/groups/{groupId}/members", new AddMembersRequest(members));

    public Task<(GroupResponse? Value, ProblemResult? Problem)> RemoveAsync(string groupId, string accountId) =>
        SendAsync<GroupResponse>(HttpMethod.Delete, $"v1/groups/{groupId}/members/{accountId}", null);

    public Task<(GroupResponse? Value, ProblemResult? Problem)> SetAdminAsync(string groupId, string accountId, bool admin) =>
        SendAsync<GroupResponse>(admin ? HttpMethod.Put : HttpMethod.Delete, $"v1/groups/{groupId}/admins/{accountId}", null);

    public Task<(InviteLinkResponse? Value, ProblemResult? Problem)> CreateInviteAsync(string groupId) =>
        SendAsync<InviteLinkResponse>(HttpMethod.Post, $"v1/groups/{groupId}/invite-link", null);

    public Task<(GroupResponse? Value, ProblemResult? Problem)> RevokeInviteAsync(string groupId) =>
        SendAsync<GroupResponse>(HttpMethod.Delete, $"v1/groups/{groupId}/invite-link", null);

    public Task<(GroupResponse? Value, ProblemResult? Problem)> JoinAsync(string token) =>
        SendAsync<GroupResponse>(HttpMethod.Post, "v1/groups/join", new JoinGroupRequest(token));

    public Task<(MessageInfoResponse? Value, ProblemResult? Problem)> MessageInfoAsync(string groupId, byte[] messageId) =>
        SendAsync<MessageInfoResponse>(HttpMethod.Get, $"v1/groups/{groupId}/messages/{Convert.ToHexString(messageId)}/info", null);

    private async Task<(T?, ProblemResult?)> SendAsync<T>(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType()) };
        request.Headers.Authorization = credentials.ToAuthorizationHeader();
        using var response = await _http.SendAsync(request);
        if (response.IsSuccessStatusCode)
        {
            return (await response.Content.ReadFromJsonAsync<T>(), null);
        }
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (default, new ProblemResult((int)response.StatusCode, problem.GetProperty("code").GetString()!));
    }
}

public sealed record ProblemResult(int Status, string Code);
