using System.Text.Json.Nodes;

namespace Parley.Interop.Tests.Harness;

/// <summary>A party (one device) whose keys and stores live inside libsignal.</summary>
public sealed record LibsignalParty(string Name, uint DeviceId, byte[] IdentityKey, byte[] IdentityPrivate, uint RegistrationId);

/// <summary>A prekey bundle in neutral form: what a server would hand out for one device.</summary>
public sealed record BundleData(
    uint RegistrationId,
    uint DeviceId,
    uint? PreKeyId,
    byte[]? PreKey,
    uint SignedPreKeyId,
    byte[] SignedPreKey,
    byte[] SignedPreKeySignature,
    byte[] IdentityKey,
    uint KyberPreKeyId,
    byte[] KyberPreKey,
    byte[] KyberPreKeySignature);

/// <summary>A 1:1 ciphertext as libsignal types it: 3 = PreKeySignalMessage, 2 = SignalMessage.</summary>
public sealed record WireMessage(int Type, byte[] Body)
{
    public const int PreKeyType = 3;
    public const int SignalType = 2;
}

public sealed record Fingerprints(string Displayable, byte[] Scannable);

/// <summary>Typed wrappers over the harness commands (see tests/interop-harness/commands.js).</summary>
public static class LibsignalCommands
{
    public static async Task<LibsignalParty> CreatePartyAsync(
        this LibsignalHarness h, string name, uint deviceId = 1, uint? registrationId = null, byte[]? identityPrivate = null)
    {
        var command = Command("createParty", ("party", name), ("deviceId", deviceId));
        if (registrationId is uint reg) command["registrationId"] = reg;
        if (identityPrivate is not null) command["identityPrivate"] = Convert.ToBase64String(identityPrivate);
        var r = await h.SendAsync(command);
        return new LibsignalParty(name, deviceId, Bytes(r, "identityKey"), Bytes(r, "identityPrivate"), UInt(r, "registrationId"));
    }

    public static async Task<BundleData> GetBundleAsync(this LibsignalHarness h, LibsignalParty party, bool withPreKey = true)
    {
        var r = await h.SendAsync(Command("getBundle", ("party", party.Name), ("withPreKey", withPreKey)));
        return new BundleData(
            UInt(r, "registrationId"), UInt(r, "deviceId"),
            r["preKeyId"] is null ? null : UInt(r, "preKeyId"), r["preKey"] is null ? null : Bytes(r, "preKey"),
            UInt(r, "signedPreKeyId"), Bytes(r, "signedPreKey"), Bytes(r, "signedPreKeySignature"),
            Bytes(r, "identityKey"),
            UInt(r, "kyberPreKeyId"), Bytes(r, "kyberPreKey"), Bytes(r, "kyberPreKeySignature"));
    }

    public static Task ProcessBundleAsync(this LibsignalHarness h, LibsignalParty party, string peer, uint peerDevice, BundleData b)
    {
        var bundle = new JsonObject
        {
            ["registrationId"] = b.RegistrationId,
            ["deviceId"] = b.DeviceId,
            ["preKeyId"] = b.PreKeyId,
            ["preKey"] = b.PreKey is null ? null : Convert.ToBase64String(b.PreKey),
            ["signedPreKeyId"] = b.SignedPreKeyId,
            ["signedPreKey"] = Convert.ToBase64String(b.SignedPreKey),
            ["signedPreKeySignature"] = Convert.ToBase64String(b.SignedPreKeySignature),
            ["identityKey"] = Convert.ToBase64String(b.IdentityKey),
            ["kyberPreKeyId"] = b.KyberPreKeyId,
            ["kyberPreKey"] = Convert.ToBase64String(b.KyberPreKey),
            ["kyberPreKeySignature"] = Convert.ToBase64String(b.KyberPreKeySignature),
        };
        var command = Command("processBundle", ("party", party.Name), ("peer", peer), ("peerDevice", peerDevice));
        command["bundle"] = bundle;
        return h.SendAsync(command);
    }

    /// <summary>Encrypts; with <paramref name="discard"/> &gt; 0 first encrypts and drops that many messages.</summary>
    public static async Task<WireMessage> EncryptAsync(
        this LibsignalHarness h, LibsignalParty party, string peer, uint peerDevice, byte[] plaintext, int discard = 0)
    {
        var r = await h.SendAsync(Command("encrypt",
            ("party", party.Name), ("peer", peer), ("peerDevice", peerDevice), ("plaintext", plaintext), ("discard", discard)));
        return new WireMessage((int)UInt(r, "type"), Bytes(r, "body"));
    }

    public static async Task<byte[]> DecryptAsync(this LibsignalHarness h, LibsignalParty party, string peer, uint peerDevice, WireMessage message)
    {
        var r = await h.SendAsync(DecryptCommand(party, peer, peerDevice, message));
        return Bytes(r, "plaintext");
    }

    /// <summary>Decrypts, answering libsignal's error text instead of throwing when it refuses.</summary>
    public static async Task<(byte[]? Plaintext, string? Error)> TryDecryptAsync(
        this LibsignalHarness h, LibsignalParty party, string peer, uint peerDevice, WireMessage message)
    {
        var r = await h.TrySendAsync(DecryptCommand(party, peer, peerDevice, message));
        return r["error"] is JsonNode e ? (null, e.GetValue<string>()) : (Bytes(r, "plaintext"), null);
    }

    public static Task<JsonObject> InspectMessageAsync(this LibsignalHarness h, WireMessage message) =>
        h.SendAsync(Command("inspectMessage", ("type", message.Type), ("body", message.Body)));

    public static Task<JsonObject> SessionInfoAsync(this LibsignalHarness h, LibsignalParty party, string peer, uint peerDevice) =>
        h.SendAsync(Command("sessionInfo", ("party", party.Name), ("peer", peer), ("peerDevice", peerDevice)));

    // --- Sender keys ------------------------------------------------------------------------------

    public static async Task<byte[]> GroupCreateDistributionAsync(this LibsignalHarness h, LibsignalParty party, Guid distributionId)
    {
        var r = await h.SendAsync(Command("groupCreateDistribution", ("party", party.Name), ("distributionId", distributionId.ToString())));
        return Bytes(r, "message");
    }

    public static Task<JsonObject> GroupProcessDistributionAsync(
        this LibsignalHarness h, LibsignalParty party, string sender, uint senderDevice, byte[] distribution) =>
        h.SendAsync(Command("groupProcessDistribution", ("party", party.Name), ("peer", sender), ("peerDevice", senderDevice), ("message", distribution)));

    public static async Task<byte[]> GroupEncryptAsync(this LibsignalHarness h, LibsignalParty party, Guid distributionId, byte[] plaintext)
    {
        var r = await h.SendAsync(Command("groupEncrypt", ("party", party.Name), ("distributionId", distributionId.ToString()), ("plaintext", plaintext)));
        return Bytes(r, "message");
    }

    public static async Task<(byte[]? Plaintext, string? Error)> TryGroupDecryptAsync(
        this LibsignalHarness h, LibsignalParty party, string sender, uint senderDevice, byte[] message)
    {
        var r = await h.TrySendAsync(Command("groupDecrypt", ("party", party.Name), ("peer", sender), ("peerDevice", senderDevice), ("message", message)));
        return r["error"] is JsonNode e ? (null, e.GetValue<string>()) : (Bytes(r, "plaintext"), null);
    }

    public static async Task<byte[]> GroupDecryptAsync(this LibsignalHarness h, LibsignalParty party, string sender, uint senderDevice, byte[] message)
    {
        var r = await h.SendAsync(Command("groupDecrypt", ("party", party.Name), ("peer", sender), ("peerDevice", senderDevice), ("message", message)));
        return Bytes(r, "plaintext");
    }

    public static Task<JsonObject> InspectSenderKeyMessageAsync(this LibsignalHarness h, byte[] message, byte[]? signingKey = null)
    {
        var command = Command("inspectSenderKeyMessage", ("message", message));
        if (signingKey is not null) command["signingKey"] = Convert.ToBase64String(signingKey);
        return h.SendAsync(command);
    }

    // --- Primitives -------------------------------------------------------------------------------

    public static async Task<(byte[] PublicKey, byte[] PrivateKey)> GenerateKeyPairAsync(this LibsignalHarness h)
    {
        var r = await h.SendAsync(Command("generateKeyPair"));
        return (Bytes(r, "publicKey"), Bytes(r, "privateKey"));
    }

    public static async Task<byte[]> PublicKeyOfAsync(this LibsignalHarness h, byte[] privateKey) =>
        Bytes(await h.SendAsync(Command("publicKeyOf", ("privateKey", privateKey))), "publicKey");

    public static async Task<byte[]> SignAsync(this LibsignalHarness h, byte[] privateKey, byte[] message) =>
        Bytes(await h.SendAsync(Command("sign", ("privateKey", privateKey), ("message", message))), "signature");

    public static async Task<bool> VerifyAsync(this LibsignalHarness h, byte[] publicKey, byte[] message, byte[] signature) =>
        (await h.SendAsync(Command("verify", ("publicKey", publicKey), ("message", message), ("signature", signature))))["valid"]!.GetValue<bool>();

    public static async Task<byte[]> AgreeAsync(this LibsignalHarness h, byte[] privateKey, byte[] publicKey) =>
        Bytes(await h.SendAsync(Command("agree", ("privateKey", privateKey), ("publicKey", publicKey))), "sharedSecret");

    public static async Task<(byte[] PublicKey, byte[] SecretKey)> KyberGenerateAsync(this LibsignalHarness h)
    {
        var r = await h.SendAsync(Command("kyberGenerate"));
        return (Bytes(r, "publicKey"), Bytes(r, "secretKey"));
    }

    /// <summary>Has libsignal parse a serialized Kyber public key and serialize it again.</summary>
    public static async Task<byte[]> KyberParsePublicAsync(this LibsignalHarness h, byte[] publicKey) =>
        Bytes(await h.SendAsync(Command("kyberParse", ("publicKey", publicKey))), "publicKey");

    public static async Task<byte[]> HkdfAsync(this LibsignalHarness h, int length, byte[] ikm, byte[] info, byte[]? salt)
    {
        var command = Command("hkdf", ("length", length), ("ikm", ikm), ("info", info));
        command["salt"] = salt is null ? null : Convert.ToBase64String(salt);
        return Bytes(await h.SendAsync(command), "output");
    }

    public static async Task<Fingerprints> FingerprintAsync(
        this LibsignalHarness h, byte[] localId, byte[] localKey, byte[] remoteId, byte[] remoteKey, int iterations = 5200)
    {
        var r = await h.SendAsync(Command("fingerprint",
            ("iterations", iterations), ("localId", localId), ("localKey", localKey), ("remoteId", remoteId), ("remoteKey", remoteKey)));
        return new Fingerprints(r["displayable"]!.GetValue<string>(), Bytes(r, "scannable"));
    }

    public static async Task<bool> ScannableCompareAsync(this LibsignalHarness h, byte[] local, byte[] remote) =>
        (await h.SendAsync(Command("scannableCompare", ("local", local), ("remote", remote))))["matches"]!.GetValue<bool>();

    // --- JSON plumbing ----------------------------------------------------------------------------

    private static JsonObject DecryptCommand(LibsignalParty party, string peer, uint peerDevice, WireMessage m) =>
        Command("decrypt", ("party", party.Name), ("peer", peer), ("peerDevice", peerDevice), ("type", m.Type), ("body", m.Body));

    public static JsonObject Command(string name, params (string Key, object Value)[] fields)
    {
        var command = new JsonObject { ["cmd"] = name };
        foreach (var (key, value) in fields)
        {
            command[key] = value switch
            {
                byte[] b => Convert.ToBase64String(b),
                string s => s,
                bool b => b,
                int i => i,
                uint u => u,
                long l => l,
                _ => throw new ArgumentException($"cannot send {value.GetType()} as '{key}'"),
            };
        }
        return command;
    }

    public static byte[] Bytes(JsonObject answer, string field) =>
        Convert.FromBase64String(answer[field]?.GetValue<string>() ?? throw new InvalidOperationException($"answer has no '{field}': {answer.ToJsonString()}"));

    private static uint UInt(JsonObject answer, string field) =>
        answer[field]?.GetValue<uint>() ?? throw new InvalidOperationException($"answer has no '{field}': {answer.ToJsonString()}");
}
