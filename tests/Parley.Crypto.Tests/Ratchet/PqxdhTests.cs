using Parley.Crypto.Keys;
using Parley.Crypto.Ratchet;

namespace Parley.Crypto.Tests.Ratchet;

/// <summary>
/// libsignal's fixed-key session tests (rust/protocol/tests/ratchet.rs) are for its pre-Kyber
/// label "WhisperText"; PQXDH appends the Kyber secret and changes only the label. Checking our
/// agreement order, 0xFF prefix and HKDF split against them pins everything but the KEM, which
/// has its own known-answer test.
/// </summary>
public class PqxdhTests
{
    private static readonly byte[] PreKyberLabel = "WhisperText"u8.ToArray();
    private static readonly ECPublicKey BobIdentity = ECPublicKey.Deserialize(Convert.FromHexString("05f1f43874f6966956c2dd473f8fa15adeb71d1cb991b2341692324cefb1c5e626"));
    private static readonly ECPublicKey BobSignedPreKey = ECPublicKey.Deserialize(Convert.FromHexString("05ac248a8f263be6863576eb0362e28c828f0107a3379d34bab1586bf8c770cd67"));
    private static readonly ECPublicKey AliceBase = ECPublicKey.Deserialize(Convert.FromHexString("05472d1fb1a9862c3af6beaca8920277e2b26f4a79213ec7c906aeb35e03cf8950"));
    private static readonly ECPublicKey AliceIdentity = ECPublicKey.Deserialize(Convert.FromHexString("05b4a8455660ada65b401007f615e654041746432e3339c6875149bceefcb42b4a"));

    [Fact]
    public void BobAgreements_DeriveLibsignalsExpectedSenderChainKey()
    {
        var master = Pqxdh.BobAgreements(
            ECPrivateKey.Deserialize(Convert.FromHexString("4875cc69ddf8ea0719ec947d61081135868d5fd801f02c0225e516df2156605e")),
            ECPrivateKey.Deserialize(Convert.FromHexString("583900131fb727998b7803fe6ac22cc591f342e4e42a8c8d5d78194209b8d253")),
            null,
            new IdentityKey(AliceIdentity),
            AliceBase);
        var (_, chain) = Pqxdh.DeriveInitialKeys(master, PreKyberLabel);
        Assert.Equal("9797caca53c989bbe229a40ca7727010eb2604fc14945d77958a0aeda088b44d", Convert.ToHexString(chain.Key).ToLowerInvariant());
    }

    [Fact]
    public void AliceAgreements_DeriveLibsignalsExpectedReceiverChainKey()
    {
        var master = Pqxdh.AliceAgreements(
            ECPrivateKey.Deserialize(Convert.FromHexString("9040f0d4e09cf38f6dc7c13779c908c015a1da4fa78737a080eb0a6f4f5f8f58")),
            ECPrivateKey.Deserialize(Convert.FromHexString("11ae7c64d1e61cd596b76a0db5012673391cae66edbfcf073b4da80516a47449")),
            new IdentityKey(BobIdentity),
            BobSignedPreKey,
            null);
        var (_, chain) = Pqxdh.DeriveInitialKeys(master, PreKyberLabel);
        Assert.Equal("ab9be50e5cb22a925446ab90ee5670545f4fd32902459ec274b6ad0ae5d6031a", Convert.ToHexString(chain.Key).ToLowerInvariant());
    }
}
