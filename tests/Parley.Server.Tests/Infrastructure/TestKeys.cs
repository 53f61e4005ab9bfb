using System.Security.Cryptography;
using Parley.Protocol.Rest;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>Public keys in libsignal's serialized shapes, for server tests that never decrypt.</summary>
public static class TestKeys
{
    public static byte[] CurveKey() => [0x05, .. RandomNumberGenerator.GetBytes(32)];

    public static byte[] KyberKey() => [0x08, .. RandomNumberGenerator.GetBytes(1568)];

    public static byte[] Signature() => RandomNumberGenerator.GetBytes(64);

    public static SignedPreKeyDto SignedPreKey(int id = 1) => new(id, CurveKey(), Signature());

    public static KyberPreKeyDto KyberPreKey(int id) => new(id, KyberKey(), Signature());

    public static IReadOnlyList<PreKeyDto> PreKeys(int firstId, int count) =>
        Enumerable.Range(firstId, count).Select(id => new PreKeyDto(id, CurveKey())).ToList();

    public static IReadOnlyList<KyberPreKeyDto> KyberPreKeys(int firstId, int count) =>
        Enumerable.Range(firstId, count).Select(KyberPreKey).ToList();
}
