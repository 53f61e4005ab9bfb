namespace Parley.Crypto;

/// <summary>
/// Every limit of the protocol in one place. The values match libsignal's so that a peer running
/// libsignal and a Parley client agree on which messages are still decryptable.
/// </summary>
public static class ProtocolConstants
{
    /// <summary>
    /// How far ahead of the receiving chain a message counter may be. Larger tolerates longer
    /// bursts of lost messages; smaller bounds the HMAC work a forged counter can make us do.
    /// </summary>
    public const int MaxForwardJumps = 25_000;

    /// <summary>
    /// Skipped message keys kept per receiving chain (oldest dropped first). More keys let very
    /// late messages decrypt but grow the stored session and keep old keys alive longer.
    /// </summary>
    public const int MaxMessageKeys = 2_000;

    /// <summary>
    /// Receiving chains kept per session. Each ratchet step from the peer adds one; older chains
    /// only serve stragglers, and keeping them costs storage and forward secrecy.
    /// </summary>
    public const int MaxReceiverChains = 5;

    /// <summary>
    /// Superseded session states kept per peer device. They let messages encrypted under an older
    /// session (simultaneous initiation, reinstall races) still decrypt, at the cost of storage
    /// and of trying each state on a decryption failure.
    /// </summary>
    public const int ArchivedStatesMaxLength = 40;

    /// <summary>
    /// Sender-key states kept per (sender, distribution). A sender that rotates its key keeps
    /// older chains decryptable for a while; more states mean more old keys kept alive.
    /// </summary>
    public const int MaxSenderKeyStates = 5;

    /// <summary>
    /// Iterations of SHA-512 behind a safety number. libsignal's value; it makes brute-forcing
    /// a colliding identity key costlier and every client must use the same number.
    /// </summary>
    public const int FingerprintIterations = 5_200;

    /// <summary>Version of the 1:1 message format (PQXDH with Kyber1024), high nibble of byte 0.</summary>
    public const byte CiphertextMessageVersion = 4;

    /// <summary>Version of the sender-key message format, both nibbles of byte 0 (0x33).</summary>
    public const byte SenderKeyMessageVersion = 3;

    /// <summary>Length of the truncated HMAC-SHA256 appended to a SignalMessage.</summary>
    public const int MacLength = 8;

    /// <summary>Registration ids are 14-bit (1..16380), as libsignal's clients generate them.</summary>
    public const int MaxRegistrationId = 16_380;
}
