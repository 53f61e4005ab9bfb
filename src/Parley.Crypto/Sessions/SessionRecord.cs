using Parley.Crypto.Keys;
using Parley.Crypto.Protos.Storage;

namespace Parley.Crypto.Sessions;

/// <summary>
/// All sessions with one remote device: the current one and up to
/// <see cref="ProtocolConstants.ArchivedStatesMaxLength"/> archived ones (newest first) that can
/// still decrypt late messages. Opaque to callers except for storage and a few facts.
/// </summary>
public sealed class SessionRecord
{
    private readonly List<SessionStructure> _previous;

    public SessionRecord()
        : this(null, [])
    {
    }

    private SessionRecord(SessionState? current, List<SessionStructure> previous)
    {
        Current = current;
        _previous = previous;
    }

    public bool HasCurrentState => Current is not null;

    /// <summary>The remote device's registration id from the current session.</summary>
    public uint RemoteRegistrationId => Current?.RemoteRegistrationId ?? throw NoCurrent();

    public uint LocalRegistrationId => Current?.LocalRegistrationId ?? throw NoCurrent();

    public uint SessionVersion => Current?.Version ?? throw NoCurrent();

    /// <summary>The identity key the current session was established with.</summary>
    public IdentityKey RemoteIdentityKey => Current?.RemoteIdentity ?? throw NoCurrent();

    /// <summary>Number of archived states (for diagnostics and tests).</summary>
    public int PreviousStateCount => _previous.Count;

    internal SessionState? Current { get; private set; }

    internal IReadOnlyList<SessionStructure> PreviousStructures => _previous;

    public byte[] Serialize()
    {
        var record = new RecordStructure { CurrentSession = Current?.Structure };
        record.PreviousSessions.AddRange(_previous);
        return Google.Protobuf.MessageExtensions.ToByteArray(record);
    }

    public static SessionRecord Deserialize(ReadOnlySpan<byte> serialized)
    {
        var record = ProtoParsing.Parse(RecordStructure.Parser, serialized, SignalError.InvalidState);
        return new SessionRecord(record.CurrentSession is null ? null : new SessionState(record.CurrentSession), [.. record.PreviousSessions]);
    }

    /// <summary>
    /// A copy that can be changed without touching this record: the current state is cloned and
    /// the archive list copied (archived states are cloned only when one is decrypted with).
    /// </summary>
    internal SessionRecord CopyForUpdate() => new(Current?.Clone(), [.. _previous]);

    internal bool HasSessionState(uint version, ReadOnlySpan<byte> aliceBaseKey)
    {
        if (Current is { } current && current.Version == version && current.AliceBaseKey.Span.SequenceEqual(aliceBaseKey))
        {
            return true;
        }

        foreach (var previous in _previous)
        {
            if (previous.SessionVersion == version && previous.AliceBaseKey.Span.SequenceEqual(aliceBaseKey))
            {
                return true;
            }
        }

        return false;
    }

    internal void SetCurrent(SessionState state) => Current = state;

    /// <summary>Archives the current state (if any) and makes <paramref name="state"/> current.</summary>
    internal void PromoteState(SessionState state)
    {
        ArchiveCurrentState();
        Current = state;
    }

    /// <summary>Replaces archived state <paramref name="index"/> by its updated copy and makes it current.</summary>
    internal void PromoteArchivedState(int index, SessionState updated)
    {
        _previous.RemoveAt(index);
        PromoteState(updated);
    }

    /// <summary>Moves the current state to the archive so the next message starts a new session.</summary>
    public void ArchiveCurrentState()
    {
        if (Current is null)
        {
            return;
        }

        _previous.Insert(0, Current.Structure);
        while (_previous.Count > ProtocolConstants.ArchivedStatesMaxLength)
        {
            _previous.RemoveAt(_previous.Count - 1);
        }

        Current = null;
    }

    private static SignalProtocolException NoCurrent() => new(SignalError.NoSession, "no current session");
}
