using System.Security.Cryptography;
using Parley.Crypto.Keys;

namespace Parley.Crypto.Fingerprints;

/// <summary>A safety number between two users, in displayable and scannable form.</summary>
public sealed class Fingerprint
{
    private Fingerprint(DisplayableFingerprint displayable, ScannableFingerprint scannable)
    {
        Displayable = displayable;
        Scannable = scannable;
    }

    public DisplayableFingerprint Displayable { get; }

    public ScannableFingerprint Scannable { get; }

    /// <summary>
    /// libsignal's numeric fingerprint. Each side hashes
    /// SHA-512(0x0000 ‖ identityKey ‖ stableId ‖ identityKey), then <paramref name="iterations"/> − 1
    /// more times SHA-512(previous ‖ identityKey). <paramref name="version"/> only tags the scannable
    /// form (Signal uses 2); the stable ids are the users' stable identifiers (e.g. ACI bytes or phone number).
    /// </summary>
    public static Fingerprint Create(
        uint version,
        int iterations,
        ReadOnlySpan<byte> localStableId,
        IdentityKey localIdentity,
        ReadOnlySpan<byte> remoteStableId,
        IdentityKey remoteIdentity)
    {
        ArgumentNullException.ThrowIfNull(localIdentity);
        ArgumentNullException.ThrowIfNull(remoteIdentity);
        var local = Hash(iterations, localStableId, localIdentity);
        var remote = Hash(iterations, remoteStableId, remoteIdentity);
        return new Fingerprint(new DisplayableFingerprint(local, remote), new ScannableFingerprint(version, local, remote));
    }

    /// <summary>The safety number with libsignal's default of <see cref="ProtocolConstants.FingerprintIterations"/> iterations.</summary>
    public static Fingerprint Create(uint version, ReadOnlySpan<byte> localStableId, IdentityKey localIdentity, ReadOnlySpan<byte> remoteStableId, IdentityKey remoteIdentity) =>
        Create(version, ProtocolConstants.FingerprintIterations, localStableId, localIdentity, remoteStableId, remoteIdentity);

    private static byte[] Hash(int iterations, ReadOnlySpan<byte> stableId, IdentityKey identity)
    {
        if (iterations <= 1 || iterations > 1_000_000)
        {
            throw new SignalProtocolException(SignalError.InvalidArgument, $"fingerprint iterations {iterations} out of range");
        }

        var key = identity.Serialize();
        byte[] first = [0x00, 0x00, .. key, .. stableId, .. key];
        var hash = SHA512.HashData(first);
        var buffer = new byte[64 + key.Length];
        key.CopyTo(buffer, 64);
        for (var i = 1; i < iterations; i++)
        {
            hash.CopyTo(buffer, 0);
            SHA512.HashData(buffer, hash);
        }

        return hash;
    }
}
