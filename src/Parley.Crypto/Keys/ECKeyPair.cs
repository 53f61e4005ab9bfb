namespace Parley.Crypto.Keys;

/// <summary>A Curve25519 key pair (ratchet, base, prekey and sender-signing keys).</summary>
public sealed class ECKeyPair(ECPublicKey publicKey, ECPrivateKey privateKey)
{
    public ECPublicKey PublicKey { get; } = publicKey;

    public ECPrivateKey PrivateKey { get; } = privateKey;

    public static ECKeyPair Generate()
    {
        var privateKey = ECPrivateKey.Generate();
        return new ECKeyPair(privateKey.GetPublicKey(), privateKey);
    }
}
