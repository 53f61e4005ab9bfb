using System.Text;
using Parley.Crypto.Fingerprints;
using Parley.Crypto.Keys;

namespace Parley.Crypto.Tests.Fingerprints;

public class FingerprintTests
{
    // libsignal rust/protocol fingerprint.rs test vectors (testVectorsVersion1/2 in Java).
    private static readonly IdentityKey AliceIdentity = IdentityKey.Deserialize(Convert.FromHexString("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868"));
    private static readonly IdentityKey BobIdentity = IdentityKey.Deserialize(Convert.FromHexString("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b"));
    private static readonly byte[] AliceId = Encoding.UTF8.GetBytes("+14152222222");
    private static readonly byte[] BobId = Encoding.UTF8.GetBytes("+14153333333");
    private const string Displayable = "300354477692869396892869876765458257569162576843440918079131";

    [Theory]
    [InlineData(1u, "080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d", "080112220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d1a220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df")]
    [InlineData(2u, "080212220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d", "080212220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d1a220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df")]
    public void Fingerprint_MatchesLibsignalKnownAnswers(uint version, string aliceScannable, string bobScannable)
    {
        var alice = Fingerprint.Create(version, 5200, AliceId, AliceIdentity, BobId, BobIdentity);
        var bob = Fingerprint.Create(version, BobId, BobIdentity, AliceId, AliceIdentity);
        Assert.Equal(Displayable, alice.Displayable.DisplayText);
        Assert.Equal(Displayable, bob.Displayable.DisplayText);
        Assert.Equal(aliceScannable, Convert.ToHexString(alice.Scannable.Serialize()).ToLowerInvariant());
        Assert.Equal(bobScannable, Convert.ToHexString(bob.Scannable.Serialize()).ToLowerInvariant());
        Assert.True(alice.Scannable.Compare(bob.Scannable.Serialize()));
        Assert.True(bob.Scannable.Compare(alice.Scannable.Serialize()));
    }

    [Fact]
    public void Compare_WithOwnCodeOrAnImpostorsCode_IsFalse()
    {
        var a = IdentityKeyPair.Generate().IdentityKey;
        var b = IdentityKeyPair.Generate().IdentityKey;
        var mitm = IdentityKeyPair.Generate().IdentityKey;
        var aliceSeesMitm = Fingerprint.Create(2, 1024, AliceId, a, BobId, mitm);
        var bobSeesAlice = Fingerprint.Create(2, 1024, BobId, b, AliceId, a);
        Assert.NotEqual(aliceSeesMitm.Displayable.DisplayText, bobSeesAlice.Displayable.DisplayText);
        Assert.False(aliceSeesMitm.Scannable.Compare(bobSeesAlice.Scannable.Serialize()));
        Assert.False(bobSeesAlice.Scannable.Compare(bobSeesAlice.Scannable.Serialize()));
        Assert.Equal(60, aliceSeesMitm.Displayable.DisplayText.Length);
        Assert.All(aliceSeesMitm.Displayable.DisplayText, c => Assert.InRange(c, '0', '9'));
    }

    [Fact]
    public void Compare_WhenVersionsDiffer_ThrowsVersionMismatch()
    {
        var v1 = Fingerprint.Create(1, 5200, AliceId, AliceIdentity, BobId, BobIdentity);
        var v2 = Fingerprint.Create(2, 5200, BobId, BobIdentity, AliceId, AliceIdentity);
        var e = Assert.Throws<SignalProtocolException>(() => v1.Scannable.Compare(v2.Scannable.Serialize()));
        Assert.Equal(SignalError.FingerprintVersionMismatch, e.Error);
        Assert.Equal(SignalError.FingerprintParsing, Assert.Throws<SignalProtocolException>(() => v1.Scannable.Compare([0xff, 0xff])).Error);
    }
}
