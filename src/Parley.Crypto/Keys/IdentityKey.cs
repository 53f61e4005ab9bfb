namespace Parley.Crypto.Keys;

/// <summary>A device's long-term public identity: a Curve25519 key that signs with XEdDSA.</summary>
public sealed class IdentityKey(ECPublicKey publicKey) : IEquatable<IdentityKey>
{
    public ECPublicKey PublicKey { get; } = publicKey;

    public static IdentityKey Deserialize(ReadOnlySpan<byte> serialized) => new(ECPublicKey.Deserialize(serialized));

    /// <summary>33 bytes, <c>0x05 ‖ key</c>: the form that goes into MACs, fingerprints and the wire.</summary>
    public byte[] Serialize() => PublicKey.Serialize();

    public bool Equals(IdentityKey? other) => other is not null && PublicKey.Equals(other.PublicKey);

    public override bool Equals(object? obj) => obj is IdentityKey other && Equals(other);

    public override int GetHashCode() => PublicKey.GetHashCode();

    public override string ToString() => PublicKey.ToString();
}
