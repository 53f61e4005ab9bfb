using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Crypto.Protos.Fingerprint;

namespace Parley.Crypto.Fingerprints;

/// <summary>
/// The QR-code form of a safety number: a <c>CombinedFingerprints</c> protobuf with the first 32
/// bytes of each side's fingerprint hash. Scanning the peer's code and calling
/// <see cref="Compare"/> verifies both identities at once.
/// </summary>
public sealed class ScannableFingerprint
{
    private readonly uint _version;
    private readonly byte[] _local;
    private readonly byte[] _remote;

    internal ScannableFingerprint(uint version, byte[] localFingerprint, byte[] remoteFingerprint)
    {
        _version = version;
        _local = localFingerprint[..32];
        _remote = remoteFingerprint[..32];
    }

    public byte[] Serialize() => new CombinedFingerprints
    {
        Version = _version,
        LocalFingerprint = new LogicalFingerprint { Content = ByteString.CopyFrom(_local) },
        RemoteFingerprint = new LogicalFingerprint { Content = ByteString.CopyFrom(_remote) },
    }.ToByteArray();

    /// <summary>
    /// True when <paramref name="scanned"/> (the peer's code) holds our fingerprint as its remote
    /// and theirs as its local. Throws <see cref="SignalError.FingerprintVersionMismatch"/> for
    /// another version and <see cref="SignalError.FingerprintParsing"/> for malformed bytes.
    /// </summary>
    public bool Compare(ReadOnlySpan<byte> scanned)
    {
        var theirs = ProtoParsing.Parse(CombinedFingerprints.Parser, scanned, SignalError.FingerprintParsing);
        if (theirs.Version != _version)
        {
            throw new SignalProtocolException(SignalError.FingerprintVersionMismatch, $"scanned fingerprint version {theirs.Version}, ours {_version}");
        }

        if (theirs.LocalFingerprint is null || theirs.RemoteFingerprint is null)
        {
            throw new SignalProtocolException(SignalError.FingerprintParsing, "scanned fingerprint lacks a side");
        }

        var sameRemote = CryptographicOperations.FixedTimeEquals(theirs.LocalFingerprint.Content.Span, _remote);
        var sameLocal = CryptographicOperations.FixedTimeEquals(theirs.RemoteFingerprint.Content.Span, _local);
        return sameRemote & sameLocal;
    }
}
