using Parley.Crypto.Primitives;

namespace Parley.Crypto.Ratchet;

/// <summary>
/// A symmetric-ratchet chain key. The message-key seed is HMAC(key, 0x01) and the next chain key
/// HMAC(key, 0x02), as in libsignal and the Double Ratchet specification.
/// </summary>
internal sealed class ChainKey(byte[] key, uint index)
{
    private static readonly byte[] MessageKeySeed = [0x01];
    private static readonly byte[] ChainKeySeed = [0x02];

    public byte[] Key { get; } = key;

    public uint Index { get; } = index;

    public ChainKey Next()
    {
        if (Index == uint.MaxValue)
        {
            throw new SignalProtocolException(SignalError.InvalidState, "chain is exhausted");
        }

        return new ChainKey(HmacSha256.Compute(Key, ChainKeySeed), Index + 1);
    }

    /// <summary>The 32-byte seed from which this step's <see cref="MessageKeys"/> are derived.</summary>
    public byte[] MessageKeySeedBytes() => HmacSha256.Compute(Key, MessageKeySeed);

    public MessageKeys MessageKeys() => Ratchet.MessageKeys.Derive(MessageKeySeedBytes(), Index);
}
