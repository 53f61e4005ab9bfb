using System.Text;
using Parley.Crypto.Groups;
using Parley.Crypto.Messages;
using Parley.Crypto.Stores;

namespace Parley.Crypto.Tests.Groups;

public class GroupCipherTests
{
    private static readonly ProtocolAddress AliceAddress = new("alice", 1);
    private readonly Guid _distributionId = Guid.NewGuid();
    private readonly InMemorySignalProtocolStore _alice = new(KeyHelper.GenerateIdentityKeyPair(), 1);
    private readonly InMemorySignalProtocolStore _bob = new(KeyHelper.GenerateIdentityKeyPair(), 2);

    [Fact]
    public async Task GroupMessage_AfterDistribution_DecryptsAtMember()
    {
        await Distribute();
        var message = await Encrypt("hello group");
        var bytes = message.Serialize();
        Assert.Equal(0x33, bytes[0]);
        Assert.Equal("hello group", await Decrypt(SenderKeyMessage.Deserialize(bytes)));
    }

    [Fact]
    public async Task DistributionMessage_SerializesAsLibsignalDoes_AndRoundTrips()
    {
        var distribution = await new GroupSessionBuilder(_alice).CreateAsync(AliceAddress, _distributionId);
        var bytes = distribution.Serialize();
        Assert.Equal(0x33, bytes[0]);
        var parsed = SenderKeyDistributionMessage.Deserialize(bytes);
        Assert.Equal(_distributionId, parsed.DistributionId);
        Assert.Equal(distribution.ChainId, parsed.ChainId);
        Assert.True(parsed.ChainId < 0x80000000);
        Assert.Equal(distribution.ChainKey, parsed.ChainKey);
        Assert.Equal(distribution.SigningKey, parsed.SigningKey);
        // The distribution id travels as RFC 4122 (big-endian) bytes, as the uuid crate writes them.
        Assert.Equal(_distributionId.ToByteArray(bigEndian: true), Protos.Wire.SenderKeyDistributionMessage.Parser.ParseFrom(bytes.AsSpan(1)).DistributionUuid.ToByteArray());
    }

    [Fact]
    public async Task Decrypt_WhenGroupMessagesArriveOutOfOrder_AllDecryptOnce()
    {
        await Distribute();
        var messages = new List<(string, SenderKeyMessage)>();
        for (var i = 0; i < 30; i++)
        {
            messages.Add(($"m{i}", await Encrypt($"m{i}")));
        }

        var random = new Random(7);
        foreach (var (text, message) in messages.OrderBy(_ => random.Next()))
        {
            Assert.Equal(text, await Decrypt(message));
        }

        foreach (var (_, message) in messages)
        {
            Assert.Equal(SignalError.DuplicateMessage, (await Assert.ThrowsAsync<SignalProtocolException>(() => Decrypt(message))).Error);
        }
    }

    [Fact]
    public async Task Decrypt_WhenIterationIsTooFarAhead_ThrowsAndLeavesStoreUnchanged()
    {
        await Distribute();
        await FastForward(ProtocolConstants.MaxForwardJumps + 1);
        var message = await Encrypt("too far");
        var before = (await _bob.LoadSenderKeyAsync(AliceAddress, _distributionId))!.Serialize();

        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => Decrypt(message));
        Assert.Equal(SignalError.MessageTooFarInFuture, e.Error);
        Assert.Equal(before, (await _bob.LoadSenderKeyAsync(AliceAddress, _distributionId))!.Serialize());
    }

    [Fact]
    public async Task Decrypt_WhenIterationIsExactlyMaxForwardJumpsAhead_Decrypts()
    {
        await Distribute();
        await FastForward(ProtocolConstants.MaxForwardJumps);
        Assert.Equal("edge", await Decrypt(await Encrypt("edge")));
    }

    [Fact]
    public async Task Decrypt_WhenSignatureIsTampered_ThrowsInvalidSignatureAndLeavesStoreUnchanged()
    {
        await Distribute();
        var bytes = (await Encrypt("signed")).Serialize();
        bytes[^3] ^= 0x01;
        var before = (await _bob.LoadSenderKeyAsync(AliceAddress, _distributionId))!.Serialize();
        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => Decrypt(SenderKeyMessage.Deserialize(bytes)));
        Assert.Equal(SignalError.InvalidSignature, e.Error);
        Assert.Equal(before, (await _bob.LoadSenderKeyAsync(AliceAddress, _distributionId))!.Serialize());
    }

    [Fact]
    public async Task Decrypt_WithoutDistribution_ThrowsNoSenderKeyState()
    {
        await new GroupSessionBuilder(_alice).CreateAsync(AliceAddress, _distributionId);
        var message = await Encrypt("nobody told bob");
        Assert.Equal(SignalError.NoSenderKeyState, (await Assert.ThrowsAsync<SignalProtocolException>(() => Decrypt(message))).Error);
    }

    [Fact]
    public async Task Decrypt_WhenMemberJoinedLater_EarlierMessagesAreNotDecryptable()
    {
        await new GroupSessionBuilder(_alice).CreateAsync(AliceAddress, _distributionId);
        var before = await Encrypt("before join");
        await Distribute();
        Assert.Equal("after join", await Decrypt(await Encrypt("after join")));
        Assert.Equal(SignalError.DuplicateMessage, (await Assert.ThrowsAsync<SignalProtocolException>(() => Decrypt(before))).Error);
    }

    [Fact]
    public async Task Process_WhenSenderRotatesKeys_KeepsAtMostMaxSenderKeyStatesAndOlderChainsStillDecrypt()
    {
        var builder = new GroupSessionBuilder(_bob);
        SenderKeyMessage? firstChainMessage = null;
        for (var i = 0; i < ProtocolConstants.MaxSenderKeyStates + 2; i++)
        {
            // Alice rotates: a fresh store stands in for her deleting and recreating the key.
            var aliceStore = new InMemorySignalProtocolStore(KeyHelper.GenerateIdentityKeyPair(), 1);
            await builder.ProcessAsync(AliceAddress, await new GroupSessionBuilder(aliceStore).CreateAsync(AliceAddress, _distributionId));
            var message = await new GroupCipher(aliceStore).EncryptAsync(AliceAddress, _distributionId, "x"u8.ToArray());
            firstChainMessage ??= message;
            if (i == ProtocolConstants.MaxSenderKeyStates + 1)
            {
                Assert.Equal("x", await Decrypt(message));
            }
        }

        Assert.Equal(ProtocolConstants.MaxSenderKeyStates, (await _bob.LoadSenderKeyAsync(AliceAddress, _distributionId))!.StateCount);
        Assert.Equal(SignalError.NoSenderKeyState, (await Assert.ThrowsAsync<SignalProtocolException>(() => Decrypt(firstChainMessage!))).Error);
    }

    [Fact]
    public async Task Process_WhenTheSameDistributionArrivesAgain_DoesNotRewindTheChain()
    {
        var distribution = await new GroupSessionBuilder(_alice).CreateAsync(AliceAddress, _distributionId);
        await new GroupSessionBuilder(_bob).ProcessAsync(AliceAddress, distribution);
        var message = await Encrypt("once");
        Assert.Equal("once", await Decrypt(message));
        await new GroupSessionBuilder(_bob).ProcessAsync(AliceAddress, distribution);
        Assert.Equal(SignalError.DuplicateMessage, (await Assert.ThrowsAsync<SignalProtocolException>(() => Decrypt(message))).Error);
    }

    private async Task Distribute()
    {
        var distribution = await new GroupSessionBuilder(_alice).CreateAsync(AliceAddress, _distributionId);
        await new GroupSessionBuilder(_bob).ProcessAsync(AliceAddress, SenderKeyDistributionMessage.Deserialize(distribution.Serialize()));
    }

    private Task<SenderKeyMessage> Encrypt(string text) =>
        new GroupCipher(_alice).EncryptAsync(AliceAddress, _distributionId, Encoding.UTF8.GetBytes(text));

    private async Task<string> Decrypt(SenderKeyMessage message) =>
        Encoding.UTF8.GetString(await new GroupCipher(_bob).DecryptAsync(AliceAddress, message));

    private async Task FastForward(int count)
    {
        var record = (await _alice.LoadSenderKeyAsync(AliceAddress, _distributionId))!;
        var state = record.Newest!;
        var chainKey = state.ChainKey;
        for (var i = 0; i < count; i++)
        {
            chainKey = chainKey.Next();
        }

        state.ChainKey = chainKey;
        await _alice.StoreSenderKeyAsync(AliceAddress, _distributionId, record);
    }
}
