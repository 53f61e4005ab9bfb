using Parley.Crypto.Primitives;

namespace Parley.Crypto.Groups;

/// <summary>A sender-key chain step: seed = HMAC(key, 0x01), next key = HMAC(key, 0x02), as libsignal.</summary>
internal sealed class SenderChainKey(uint iteration, byte[] seed)
{
    private static readonly byte[] MessageKeySeed = [0x01];
    private static readonly byte[] ChainKeySeed = [0x02];

    public uint Iteration { get; } = iteration;

    public byte[] Seed { get; } = seed;

    public SenderChainKey Next() => Iteration == uint.MaxValue
        ? throw new SignalProtocolException(SignalError.InvalidState, "sender chain is exhausted")
        : new SenderChainKey(Iteration + 1, HmacSha256.Compute(Seed, ChainKeySeed));

    public SenderMessageKey MessageKey() => new(Iteration, HmacSha256.Compute(Seed, MessageKeySeed));
}
