using Parley.Crypto.Primitives;

namespace Parley.Crypto.Groups;

/// <summary>A group message key: HKDF(seed, "WhisperGroup") → IV (16) ‖ AES key (32), as libsignal.</summary>
internal sealed class SenderMessageKey
{
    private static readonly byte[] Info = "WhisperGroup"u8.ToArray();

    public SenderMessageKey(uint iteration, byte[] seed)
    {
        Iteration = iteration;
        Seed = seed;
        var derived = Hkdf.DeriveSecrets(seed, [], Info, 48);
        Iv = derived[..16];
        CipherKey = derived[16..48];
    }

    public uint Iteration { get; }

    public byte[] Seed { get; }

    public byte[] Iv { get; }

    public byte[] CipherKey { get; }
}
