using Parley.Crypto.Keys;
using Parley.Crypto.Protos.Storage;

namespace Parley.Crypto.Groups;

/// <summary>
/// The sender-key chains of one (sender device, distribution): newest first, at most
/// <see cref="ProtocolConstants.MaxSenderKeyStates"/>.
/// </summary>
public sealed class SenderKeyRecord
{
    private readonly List<SenderKeyState> _states;

    public SenderKeyRecord()
        : this([])
    {
    }

    private SenderKeyRecord(List<SenderKeyState> states) => _states = states;

    public bool IsEmpty => _states.Count == 0;

    /// <summary>Number of chains kept (for diagnostics and tests).</summary>
    public int StateCount => _states.Count;

    public byte[] Serialize()
    {
        var record = new SenderKeyRecordStructure();
        record.SenderKeyStates.AddRange(_states.Select(s => s.Structure));
        return Google.Protobuf.MessageExtensions.ToByteArray(record);
    }

    public static SenderKeyRecord Deserialize(ReadOnlySpan<byte> serialized)
    {
        var record = ProtoParsing.Parse(SenderKeyRecordStructure.Parser, serialized, SignalError.InvalidState);
        return new SenderKeyRecord([.. record.SenderKeyStates.Select(s => new SenderKeyState(s))]);
    }

    internal SenderKeyRecord Copy() => new([.. _states.Select(s => new SenderKeyState(s.Structure.Clone()))]);

    internal SenderKeyState? Newest => _states.Count > 0 ? _states[0] : null;

    internal SenderKeyState? FindByChainId(uint chainId) => _states.FirstOrDefault(s => s.ChainId == chainId);

    /// <summary>
    /// Adds a chain at the front. A chain already known with the same id and signing key is kept
    /// as is (re-sending a distribution message must not rewind it); one with the same id but
    /// another key is replaced.
    /// </summary>
    internal void AddState(uint chainId, uint iteration, byte[] chainKey, ECPublicKey signingKey, ECPrivateKey? signingPrivateKey)
    {
        var existing = _states.FindIndex(s => s.ChainId == chainId && s.SigningKeyPublic.Equals(signingKey));
        SenderKeyState state;
        if (existing >= 0)
        {
            state = _states[existing];
            _states.RemoveAt(existing);
        }
        else
        {
            state = SenderKeyState.Create(chainId, iteration, chainKey, signingKey, signingPrivateKey);
        }

        _states.RemoveAll(s => s.ChainId == chainId);
        while (_states.Count >= ProtocolConstants.MaxSenderKeyStates)
        {
            _states.RemoveAt(_states.Count - 1);
        }

        _states.Insert(0, state);
    }
}
