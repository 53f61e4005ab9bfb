using System.Security.Cryptography;
using Parley.Crypto.Kem;
using Parley.Crypto.Keys;
using Parley.Crypto.PreKeys;

namespace Parley.Crypto;

/// <summary>Generates the keys a device registers and replenishes.</summary>
public static class KeyHelper
{
    public static IdentityKeyPair GenerateIdentityKeyPair() => IdentityKeyPair.Generate();

    /// <summary>A random registration id in 1..<see cref="ProtocolConstants.MaxRegistrationId"/>.</summary>
    public static uint GenerateRegistrationId() => (uint)RandomNumberGenerator.GetInt32(1, ProtocolConstants.MaxRegistrationId + 1);

    /// <summary><paramref name="count"/> one-time prekeys with consecutive ids from <paramref name="start"/>.</summary>
    public static IReadOnlyList<PreKeyRecord> GeneratePreKeys(uint start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new PreKeyRecord[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new PreKeyRecord(unchecked(start + (uint)i), ECKeyPair.Generate());
        }

        return result;
    }

    public static SignedPreKeyRecord GenerateSignedPreKey(IdentityKeyPair identity, uint id)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var pair = ECKeyPair.Generate();
        return new SignedPreKeyRecord(id, Now(), pair, identity.PrivateKey.CalculateSignature(pair.PublicKey.Serialize()));
    }

    public static KyberPreKeyRecord GenerateKyberPreKey(IdentityKeyPair identity, uint id)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var pair = KyberKeyPair.Generate();
        return new KyberPreKeyRecord(id, Now(), pair, identity.PrivateKey.CalculateSignature(pair.PublicKey.Serialize()));
    }

    private static ulong Now() => (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
