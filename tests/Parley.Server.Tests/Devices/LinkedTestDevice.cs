using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Client.Devices;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Devices;

/// <summary>A device linked to a <see cref="TestUser"/>'s account through the real link endpoints (code, present, sign, approve).</summary>
public sealed class LinkedTestDevice : IAsyncDisposable
{
    private readonly List<ParleyConnection> _connections = [];

    private LinkedTestDevice(ParleyServer server, IdentityKeyPair identity, int registrationId, DeviceCredentials credentials)
    {
        Server = server;
        Identity = identity;
        RegistrationId = registrationId;
        Credentials = credentials;
    }

    public ParleyServer Server { get; }

    public IdentityKeyPair Identity { get; }

    public int RegistrationId { get; }

    public DeviceCredentials Credentials { get; }

    public int DeviceId => Credentials.DeviceId;

    /// <summary>Links a new device to <paramref name="primary"/>'s account, as the primary and the new device would together.</summary>
    public static async Task<LinkedTestDevice> LinkAsync(TestUser primary, string name = "laptop")
    {
        var code = await primary.Api.CreateLinkCodeAsync(primary.Credentials);
        var (identity, registrationId, presented) = await PresentAsync(primary.Server.NewApi(), code.Code, name);
        await ApproveAsync(primary, presented.LinkId);
        var status = await primary.Server.NewApi().GetLinkStatusAsync(presented.LinkId);
        Assert.Equal(LinkStatuses.Approved, status.Status);
        Assert.Equal(primary.AccountId, status.AccountId);
        return new LinkedTestDevice(primary.Server, identity, registrationId, new DeviceCredentials(status.AccountId!, status.DeviceId!.Value, presented.Password));
    }

    /// <summary>The new device's half: fresh keys, then the code.</summary>
    public static async Task<(IdentityKeyPair Identity, int RegistrationId, LinkDeviceResponse Response)> PresentAsync(ParleyApi api, string code, string name = "laptop")
    {
        var identity = KeyHelper.GenerateIdentityKeyPair();
        var registrationId = RandomNumberGenerator.GetInt32(1, 16380);
        var response = await api.PresentLinkCodeAsync(new LinkDeviceRequest(code, registrationId, identity.PublicKey.Serialize(),
            TestKeys.SignedPreKey(identity), TestKeys.KyberPreKey(identity, 1000), name));
        return (identity, registrationId, response);
    }

    /// <summary>The primary's half: sign the current devices plus the new one, and approve.</summary>
    public static async Task<DeviceDto> ApproveAsync(TestUser primary, string linkId)
    {
        var request = (await primary.Api.GetLinkRequestsAsync(primary.Credentials)).Requests.Single(r => r.LinkId == linkId);
        var devices = await primary.Api.GetDevicesAsync(primary.Credentials);
        var signed = DeviceListSigner.Sign(primary.Identity, primary.AccountId, devices.DeviceListVersion + 1,
            devices.Devices.Select(d => (d.DeviceId, d.IdentityKey)).Append((devices.NextDeviceId, request.IdentityKey)));
        return await primary.Api.ApproveLinkAsync(primary.Credentials, linkId, new ApproveLinkRequest(devices.NextDeviceId, signed));
    }

    /// <summary>The primary removes <paramref name="deviceId"/>, signing the list without it.</summary>
    public static async Task UnlinkAsync(TestUser primary, int deviceId)
    {
        var devices = await primary.Api.GetDevicesAsync(primary.Credentials);
        var signed = DeviceListSigner.Sign(primary.Identity, primary.AccountId, devices.DeviceListVersion + 1,
            devices.Devices.Where(d => d.DeviceId != deviceId).Select(d => (d.DeviceId, d.IdentityKey)));
        await primary.Api.UnlinkDeviceAsync(primary.Credentials, deviceId, new UnlinkDeviceRequest(signed));
    }

    public async Task<ParleyConnection> ConnectAsync()
    {
        var connection = new ParleyConnection(Server.BaseAddress, Credentials,
            new ConnectionOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) });
        _connections.Add(connection);
        await connection.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await connection.WaitUntilDrainedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return connection;
    }

    /// <summary>One "ciphertext" per device of <paramref name="recipient"/> (ids and registration ids as given).</summary>
    public static SendMessage MessageTo(string accountId, string content, params (int DeviceId, int RegistrationId)[] devices)
    {
        var message = new SendMessage
        {
            DestinationAccount = accountId,
            MessageId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
            ClientTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        message.Ciphertexts.AddRange(devices.Select(d => new DeviceCiphertext
        {
            DeviceId = (uint)d.DeviceId,
            RegistrationId = (uint)d.RegistrationId,
            Type = EnvelopeType.Ciphertext,
            Content = ByteString.CopyFromUtf8(content),
        }));
        return message;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
