using System.Security.Cryptography;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Rest;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>
/// Public keys for server tests, made with Parley.Crypto so that signatures really verify;
/// the server checks them but never needs the private halves.
/// </summary>
public static class TestKeys
{
    public static byte[] CurveKey() => [0x05, .. RandomNumberGenerator.GetBytes(32)];

    public static SignedPreKeyDto SignedPreKey(IdentityKeyPair identity, int id = 1)
    {
        var record = KeyHelper.GenerateSignedPreKey(identity, (uint)id);
        return new SignedPreKeyDto(id, record.KeyPair.PublicKey.Serialize(), record.Signature);
    }

    public static KyberPreKeyDto KyberPreKey(IdentityKeyPair identity, int id)
    {
        var record = KeyHelper.GenerateKyberPreKey(identity, (uint)id);
        return new KyberPreKeyDto(id, record.KeyPair.PublicKey.Serialize(), record.Signature);
    }

    public static IReadOnlyList<PreKeyDto> PreKeys(int firstId, int count) =>
        Enumerable.Range(firstId, count).Select(id => new PreKeyDto(id, CurveKey())).ToList();

    public static IReadOnlyList<KyberPreKeyDto> KyberPreKeys(IdentityKeyPair identity, int firstId, int count) =>
        Enumerable.Range(firstId, count).Select(id => KyberPreKey(identity, id)).ToList();
}
