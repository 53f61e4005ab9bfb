using Parley.Crypto.Keys;
using Parley.Crypto.Primitives;

namespace Parley.Crypto.Ratchet;

/// <summary>The Diffie-Hellman ratchet's root key: HKDF(salt = root, DH output, "WhisperRatchet") → root ‖ chain.</summary>
internal sealed class RootKey(byte[] key)
{
    private static readonly byte[] Info = "WhisperRatchet"u8.ToArray();

    public byte[] Key { get; } = key;

    public (RootKey Root, ChainKey Chain) CreateChain(ECPublicKey theirRatchetKey, ECPrivateKey ourRatchetKey)
    {
        var shared = ourRatchetKey.CalculateAgreement(theirRatchetKey);
        var derived = Hkdf.DeriveSecrets(shared, Key, Info, 64);
        return (new RootKey(derived[..32]), new ChainKey(derived[32..], 0));
    }
}
