using System.Net.Http.Headers;
using System.Text;

namespace Parley.Client.Api;

/// <summary>What a device authenticates with. The password is a secret: never log it.</summary>
public sealed record DeviceCredentials(string AccountId, int DeviceId, string Password)
{
    public AuthenticationHeaderValue ToAuthorizationHeader() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(BasicCredentials)));

    /// <summary>"accountId.deviceId:password", the secret that Basic authentication encodes.</summary>
    internal string BasicCredentials => $"{AccountId}.{DeviceId}:{Password}";

    public override string ToString() => $"{AccountId}.{DeviceId}";
}
