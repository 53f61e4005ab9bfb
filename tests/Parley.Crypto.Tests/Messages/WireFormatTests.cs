using Google.Protobuf;
using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.Primitives;
using Parley.Crypto.Tests.Sessions;

namespace Parley.Crypto.Tests.Messages;

/// <summary>Pins the bytes libsignal peers parse: version bytes, protobuf field numbers, MAC input.</summary>
public class WireFormatTests
{
    [Fact]
    public void SignalMessage_UsesLibsignalFieldNumbersAndAnEightByteMacOverBothIdentities()
    {
        var senderIdentity = IdentityKeyPair.Generate().IdentityKey;
        var receiverIdentity = IdentityKeyPair.Generate().IdentityKey;
        var ratchetKey = ECKeyPair.Generate().PublicKey;
        var macKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var message = SignalMessage.Create(4, macKey, ratchetKey, 42, 41, [1, 2, 3], senderIdentity, receiverIdentity);
        var bytes = message.Serialize();

        Assert.Equal(0x44, bytes[0]);
        var fields = ReadFields(bytes.AsSpan(1, bytes.Length - 9).ToArray());
        Assert.Equal(ratchetKey.Serialize(), fields[1]);
        Assert.Equal(42ul, fields[2]);
        Assert.Equal(41ul, fields[3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, fields[4]);

        byte[] macInput = [.. senderIdentity.Serialize(), .. receiverIdentity.Serialize(), .. bytes[..^8]];
        Assert.Equal(HmacSha256.Compute(macKey, macInput)[..8], bytes[^8..]);
        Assert.True(SignalMessage.Deserialize(bytes).VerifyMac(senderIdentity, receiverIdentity, macKey));
        Assert.False(SignalMessage.Deserialize(bytes).VerifyMac(receiverIdentity, senderIdentity, macKey));
    }

    [Fact]
    public async Task PreKeySignalMessage_UsesLibsignalFieldNumbers()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        var bundle = bob.Bundle();
        await new Parley.Crypto.Sessions.SessionBuilder(alice.Store, alice.Store, bob.Address).ProcessPreKeyBundleAsync(bundle);
        var message = (PreKeySignalMessage)await alice.Encrypt(bob, "x");
        var bytes = message.Serialize();

        Assert.Equal(0x44, bytes[0]);
        var fields = ReadFields(bytes[1..]);
        Assert.Equal((ulong)bundle.PreKeyId!.Value, fields[1]);
        Assert.Equal(message.BaseKey.Serialize(), fields[2]);
        Assert.Equal(alice.Identity.IdentityKey.Serialize(), fields[3]);
        Assert.Equal(message.Message.Serialize(), fields[4]);
        Assert.Equal((ulong)alice.RegistrationId, fields[5]);
        Assert.Equal((ulong)bundle.SignedPreKeyId, fields[6]);
        Assert.Equal((ulong)bundle.KyberPreKeyId, fields[7]);
        var kyberCiphertext = Assert.IsType<byte[]>(fields[8]);
        Assert.Equal(1569, kyberCiphertext.Length);
        Assert.Equal(0x08, kyberCiphertext[0]);
    }

    [Fact]
    public void PreKeySignalMessage_WithoutKyberFields_IsRejectedForVersion4()
    {
        var inner = SignalMessage.Create(4, new byte[32], ECKeyPair.Generate().PublicKey, 0, 0, [1], IdentityKeyPair.Generate().IdentityKey, IdentityKeyPair.Generate().IdentityKey);
        var proto = new Protos.Wire.PreKeySignalMessage
        {
            RegistrationId = 1,
            SignedPreKeyId = 2,
            BaseKey = ByteString.CopyFrom(ECKeyPair.Generate().PublicKey.Serialize()),
            IdentityKey = ByteString.CopyFrom(IdentityKeyPair.Generate().IdentityKey.Serialize()),
            Message = ByteString.CopyFrom(inner.Serialize()),
        };
        var e = Assert.Throws<SignalProtocolException>(() => PreKeySignalMessage.Deserialize([0x44, .. proto.ToByteArray()]));
        Assert.Equal(SignalError.InvalidMessage, e.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("44")]
    [InlineData("44ffffffffffffffffffff")]
    public void Deserialize_WhenBytesAreGarbage_ThrowsInvalidMessage(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Equal(SignalError.InvalidMessage, Assert.Throws<SignalProtocolException>(() => SignalMessage.Deserialize(bytes)).Error);
        Assert.Equal(SignalError.InvalidMessage, Assert.Throws<SignalProtocolException>(() => PreKeySignalMessage.Deserialize(bytes)).Error);
    }

    [Fact]
    public void SenderKeyMessage_Is0x33ProtobufAndSignatureByTheSigningKey()
    {
        var signing = ECKeyPair.Generate();
        var distributionId = Guid.NewGuid();
        var bytes = SenderKeyMessage.Create(distributionId, 7, 9, [5, 6], signing.PrivateKey).Serialize();
        Assert.Equal(0x33, bytes[0]);
        var fields = ReadFields(bytes[1..^64]);
        Assert.Equal(distributionId.ToByteArray(bigEndian: true), fields[1]);
        Assert.Equal(7ul, fields[2]);
        Assert.Equal(9ul, fields[3]);
        Assert.Equal(new byte[] { 5, 6 }, fields[4]);
        Assert.True(signing.PublicKey.VerifySignature(bytes[..^64], bytes[^64..]));
    }

    /// <summary>Reads a protobuf into field number → value (bytes or varint) without the generated code.</summary>
    private static Dictionary<int, object> ReadFields(byte[] protobuf)
    {
        var fields = new Dictionary<int, object>();
        var input = new CodedInputStream(protobuf);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            fields[number] = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => input.ReadUInt64(),
                WireFormat.WireType.LengthDelimited => input.ReadBytes().ToByteArray(),
                var other => throw new InvalidOperationException($"unexpected wire type {other}"),
            };
        }

        return fields;
    }
}
