using Google.Protobuf;
using Parley.Crypto.Kem;
using Parley.Crypto.Keys;
using Parley.Crypto.Primitives;
using Parley.Crypto.Protos.Storage;
using Parley.Crypto.Sessions;

namespace Parley.Crypto.Ratchet;

/// <summary>What the initiator knows when it starts a session from a prekey bundle.</summary>
internal sealed record AliceParameters(
    IdentityKeyPair OurIdentity,
    ECKeyPair OurBaseKey,
    IdentityKey TheirIdentity,
    ECPublicKey TheirSignedPreKey,
    ECPublicKey? TheirOneTimePreKey,
    KyberPublicKey TheirKyberPreKey);

/// <summary>What the responder knows when a prekey message arrives.</summary>
internal sealed record BobParameters(
    IdentityKeyPair OurIdentity,
    ECKeyPair OurSignedPreKey,
    ECKeyPair? OurOneTimePreKey,
    KyberKeyPair OurKyberPreKey,
    IdentityKey TheirIdentity,
    ECPublicKey TheirBaseKey,
    byte[] TheirKyberCiphertext);

/// <summary>
/// PQXDH key agreement as libsignal runs it: the master secret is
/// 0xFF×32 ‖ DH(IKa, SPKb) ‖ DH(EKa, IKb) ‖ DH(EKa, SPKb) [‖ DH(EKa, OPKb)] ‖ Kyber secret,
/// expanded by HKDF-SHA256 (no salt) with "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024" into the
/// first root key and chain key. Bob's signed prekey doubles as his first ratchet key.
/// </summary>
internal static class Pqxdh
{
    private static readonly byte[] Info = "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024"u8.ToArray();

    public static (SessionState State, byte[] KyberCiphertext) InitializeAlice(AliceParameters p)
    {
        var secrets = new List<byte>(AliceAgreements(p.OurIdentity.PrivateKey, p.OurBaseKey.PrivateKey, p.TheirIdentity, p.TheirSignedPreKey, p.TheirOneTimePreKey));
        var (kyberSecret, kyberCiphertext) = p.TheirKyberPreKey.Encapsulate();
        secrets.AddRange(kyberSecret);

        var (root, chain) = DeriveInitialKeys([.. secrets], Info);
        var sendingRatchetKey = ECKeyPair.Generate();
        var (sendingRoot, sendingChain) = root.CreateChain(p.TheirSignedPreKey, sendingRatchetKey.PrivateKey);

        var state = NewState(p.OurIdentity.IdentityKey, p.TheirIdentity, sendingRoot);
        state.AddReceiverChain(p.TheirSignedPreKey, chain);
        state.SetSenderChain(sendingRatchetKey, sendingChain);
        state.AliceBaseKey = ByteString.CopyFrom(p.OurBaseKey.PublicKey.Serialize());
        return (state, kyberCiphertext);
    }

    public static SessionState InitializeBob(BobParameters p)
    {
        var secrets = new List<byte>(BobAgreements(p.OurIdentity.PrivateKey, p.OurSignedPreKey.PrivateKey, p.OurOneTimePreKey?.PrivateKey, p.TheirIdentity, p.TheirBaseKey));
        secrets.AddRange(p.OurKyberPreKey.SecretKey.Decapsulate(p.TheirKyberCiphertext));

        var (root, chain) = DeriveInitialKeys([.. secrets], Info);
        var state = NewState(p.OurIdentity.IdentityKey, p.TheirIdentity, root);
        state.SetSenderChain(p.OurSignedPreKey, chain);
        state.AliceBaseKey = ByteString.CopyFrom(p.TheirBaseKey.Serialize());
        return state;
    }

    /// <summary>0xFF×32 ‖ DH(IKa, SPKb) ‖ DH(EKa, IKb) ‖ DH(EKa, SPKb) [‖ DH(EKa, OPKb)], the initiator's view.</summary>
    internal static byte[] AliceAgreements(ECPrivateKey identity, ECPrivateKey baseKey, IdentityKey theirIdentity, ECPublicKey theirSignedPreKey, ECPublicKey? theirOneTimePreKey)
    {
        var secrets = new List<byte>(32 * 5);
        secrets.AddRange(Discontinuity());
        secrets.AddRange(identity.CalculateAgreement(theirSignedPreKey));
        secrets.AddRange(baseKey.CalculateAgreement(theirIdentity.PublicKey));
        secrets.AddRange(baseKey.CalculateAgreement(theirSignedPreKey));
        if (theirOneTimePreKey is not null)
        {
            secrets.AddRange(baseKey.CalculateAgreement(theirOneTimePreKey));
        }

        return [.. secrets];
    }

    /// <summary>The same agreements computed by the responder, in the same order.</summary>
    internal static byte[] BobAgreements(ECPrivateKey identity, ECPrivateKey signedPreKey, ECPrivateKey? oneTimePreKey, IdentityKey theirIdentity, ECPublicKey theirBaseKey)
    {
        var secrets = new List<byte>(32 * 5);
        secrets.AddRange(Discontinuity());
        secrets.AddRange(signedPreKey.CalculateAgreement(theirIdentity.PublicKey));
        secrets.AddRange(identity.CalculateAgreement(theirBaseKey));
        secrets.AddRange(signedPreKey.CalculateAgreement(theirBaseKey));
        if (oneTimePreKey is not null)
        {
            secrets.AddRange(oneTimePreKey.CalculateAgreement(theirBaseKey));
        }

        return [.. secrets];
    }

    /// <summary>HKDF-SHA256(no salt, master secret, info) → first root key ‖ first chain key.</summary>
    internal static (RootKey Root, ChainKey Chain) DeriveInitialKeys(byte[] masterSecret, byte[] info)
    {
        var derived = Hkdf.DeriveSecrets(masterSecret, [], info, 64);
        return (new RootKey(derived[..32]), new ChainKey(derived[32..64], 0));
    }

    private static byte[] Discontinuity()
    {
        // 32 0xFF bytes separate this KDF input from XEdDSA hash inputs over the same keys (X3DH §2.2).
        var bytes = new byte[32];
        Array.Fill(bytes, (byte)0xff);
        return bytes;
    }

    private static SessionState NewState(IdentityKey local, IdentityKey remote, RootKey root) => new(new SessionStructure
    {
        SessionVersion = ProtocolConstants.CiphertextMessageVersion,
        LocalIdentityPublic = ByteString.CopyFrom(local.Serialize()),
        RemoteIdentityPublic = ByteString.CopyFrom(remote.Serialize()),
        RootKey = ByteString.CopyFrom(root.Key),
    });
}
