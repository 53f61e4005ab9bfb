using Parley.Crypto.Messages;
using Parley.Crypto.Ratchet;
using Parley.Crypto.Sessions;

namespace Parley.Crypto.Tests.Sessions;

public class SessionCipherTests
{
    [Fact]
    public async Task Session_WhenAliceStartsFromBobsBundle_BothDirectionsDecrypt()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        await alice.StartSessionWith(bob);

        var first = await alice.Encrypt(bob, "hello bob");
        Assert.Equal(CiphertextMessageType.PreKey, first.Type);
        Assert.Equal(0x44, first.Serialize()[0]);
        Assert.Equal("hello bob", await bob.Decrypt(alice, first));

        var reply = await bob.Encrypt(alice, "hi alice");
        Assert.Equal(CiphertextMessageType.Whisper, reply.Type);
        Assert.Equal(0x44, reply.Serialize()[0]);
        Assert.Equal("hi alice", await alice.Decrypt(bob, reply));

        // Alice heard back, so she stops sending the prekey header.
        var third = await alice.Encrypt(bob, "third");
        Assert.Equal(CiphertextMessageType.Whisper, third.Type);
        Assert.Equal("third", await bob.Decrypt(alice, third));
    }

    [Fact]
    public async Task PreKeyMessage_WhenAliceSendsSeveralBeforeAnyReply_AllCarryTheHeaderAndDecrypt()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        await alice.StartSessionWith(bob);
        var messages = new List<CiphertextMessage>();
        for (var i = 0; i < 3; i++)
        {
            messages.Add(await alice.Encrypt(bob, $"m{i}"));
        }

        Assert.All(messages, m => Assert.Equal(CiphertextMessageType.PreKey, m.Type));
        // Delivered in reverse: the first arrival builds the session, the others reuse it.
        Assert.Equal("m2", await bob.Decrypt(alice, messages[2]));
        Assert.Equal("m0", await bob.Decrypt(alice, messages[0]));
        Assert.Equal("m1", await bob.Decrypt(alice, messages[1]));
        Assert.Equal(0, (await bob.Store.LoadSessionAsync(alice.Address))!.PreviousStateCount);
    }

    [Fact]
    public async Task Decrypt_WhenMessagesArriveOutOfOrder_AllDecryptOnce()
    {
        var (alice, bob) = await Established();
        var sent = new List<(string Text, CiphertextMessage Message)>();
        for (var i = 0; i < 20; i++)
        {
            sent.Add(($"msg {i}", await alice.Encrypt(bob, $"msg {i}")));
        }

        var random = new Random(1234);
        foreach (var (text, message) in sent.OrderBy(_ => random.Next()))
        {
            Assert.Equal(text, await bob.Decrypt(alice, message));
        }

        foreach (var (_, message) in sent)
        {
            var e = await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, message));
            Assert.Equal(SignalError.DuplicateMessage, e.Error);
        }
    }

    [Fact]
    public async Task Decrypt_WhenMessageIsReplayed_ThrowsDuplicateMessageAndKeepsSession()
    {
        var (alice, bob) = await Established();
        var message = await alice.Encrypt(bob, "once");
        Assert.Equal("once", await bob.Decrypt(alice, message));
        var before = await bob.SessionBytes(alice);

        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, message));
        Assert.Equal(SignalError.DuplicateMessage, e.Error);
        Assert.Equal(before, await bob.SessionBytes(alice));
    }

    [Fact]
    public async Task Conversation_WithRandomLossReorderingAndRatchetSteps_DeliversEverySurvivingMessage()
    {
        var (alice, bob) = await Established();
        var random = new Random(42);
        var inFlight = new List<(Party From, Party To, string Text, CiphertextMessage Message)>();
        for (var round = 0; round < 200; round++)
        {
            var (from, to) = random.Next(2) == 0 ? (alice, bob) : (bob, alice);
            var text = $"{from.Address.Name} #{round}";
            inFlight.Add((from, to, text, await from.Encrypt(to, text)));

            // Deliver, drop or hold messages at random; held ones arrive later, out of order.
            if (random.Next(3) == 0 && inFlight.Count > 0)
            {
                var pick = inFlight[random.Next(inFlight.Count)];
                inFlight.Remove(pick);
                if (random.Next(10) != 0)
                {
                    Assert.Equal(pick.Text, await pick.To.Decrypt(pick.From, pick.Message));
                }
            }
        }

        foreach (var (from, to, text, message) in inFlight)
        {
            Assert.Equal(text, await to.Decrypt(from, message));
        }
    }

    [Fact]
    public async Task Decrypt_WhenCounterJumpsExactlyMaxForwardJumps_Decrypts()
    {
        var (alice, bob) = await Established();
        await FastForwardSendingChain(alice, bob, ProtocolConstants.MaxForwardJumps);
        Assert.Equal("far", await bob.Decrypt(alice, await alice.Encrypt(bob, "far")));
    }

    [Fact]
    public async Task Decrypt_WhenCounterJumpsBeyondMaxForwardJumps_ThrowsAndLeavesSessionUntouched()
    {
        var (alice, bob) = await Established();
        await FastForwardSendingChain(alice, bob, ProtocolConstants.MaxForwardJumps + 1);
        var message = await alice.Encrypt(bob, "too far");
        var before = await bob.SessionBytes(alice);

        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, message));
        Assert.Equal(SignalError.MessageTooFarInFuture, e.Error);
        Assert.Equal(before, await bob.SessionBytes(alice));
    }

    [Fact]
    public async Task Decrypt_WhenMoreThanMaxMessageKeysWereSkipped_OldestSkippedMessageIsLost()
    {
        var (alice, bob) = await Established();
        var oldest = await alice.Encrypt(bob, "oldest");
        var second = await alice.Encrypt(bob, "second");
        var third = await alice.Encrypt(bob, "third");
        await FastForwardSendingChain(alice, bob, ProtocolConstants.MaxMessageKeys - 1);
        Assert.Equal("latest", await bob.Decrypt(alice, await alice.Encrypt(bob, "latest")));

        // MaxMessageKeys + 2 keys were skipped; the two oldest were dropped.
        await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, oldest));
        await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, second));
        Assert.Equal("third", await bob.Decrypt(alice, third));
    }

    [Fact]
    public async Task Decrypt_WhenMacIsTampered_ThrowsInvalidMacAndLeavesStoresUnchanged()
    {
        var (alice, bob) = await Established();
        var bytes = (await alice.Encrypt(bob, "secret")).Serialize();
        bytes[^1] ^= 0x01;
        var before = await bob.SessionBytes(alice);

        var e = await Assert.ThrowsAsync<SignalProtocolException>(
            () => new SessionCipher(bob.Store, alice.Address).DecryptAsync(SignalMessage.Deserialize(bytes)));
        Assert.Equal(SignalError.InvalidMac, e.Error);
        Assert.Equal(before, await bob.SessionBytes(alice));
    }

    [Fact]
    public async Task Decrypt_WhenBodyIsTampered_ThrowsBeforeDecryptingAnything()
    {
        var (alice, bob) = await Established();
        var message = (SignalMessage)await alice.Encrypt(bob, "secret");
        var bytes = message.Serialize();
        bytes[^12] ^= 0x80; // inside the ciphertext, before the MAC
        var e = await Assert.ThrowsAsync<SignalProtocolException>(
            () => new SessionCipher(bob.Store, alice.Address).DecryptAsync(SignalMessage.Deserialize(bytes)));
        Assert.Equal(SignalError.InvalidMac, e.Error);
        Assert.Equal("secret", await bob.Decrypt(alice, message));
    }

    [Fact]
    public async Task Encrypt_WithoutSession_ThrowsNoSession()
    {
        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => new Party("a").Encrypt(new Party("b"), "x"));
        Assert.Equal(SignalError.NoSession, e.Error);
    }

    [Fact]
    public async Task Decrypt_WhenMessageVersionIsLegacy_ThrowsLegacyVersion()
    {
        var (alice, bob) = await Established();
        var bytes = (await alice.Encrypt(bob, "x")).Serialize();
        bytes[0] = 0x33;
        var e = Assert.Throws<SignalProtocolException>(() => SignalMessage.Deserialize(bytes));
        Assert.Equal(SignalError.LegacyVersion, e.Error);
        bytes[0] = 0x54;
        Assert.Equal(SignalError.UnknownVersion, Assert.Throws<SignalProtocolException>(() => SignalMessage.Deserialize(bytes)).Error);
    }

    [Fact]
    public async Task SessionRecord_SerializeThenDeserialize_KeepsTheConversationGoing()
    {
        var (alice, bob) = await Established();
        var record = SessionRecord.Deserialize((await alice.Store.LoadSessionAsync(bob.Address))!.Serialize());
        Assert.Equal(4u, record.SessionVersion);
        Assert.Equal(bob.RegistrationId, record.RemoteRegistrationId);
        Assert.Equal(bob.Identity.IdentityKey, record.RemoteIdentityKey);
        Assert.Equal("still here", await bob.Decrypt(alice, await alice.Encrypt(bob, "still here")));
    }

    internal static async Task<(Party Alice, Party Bob)> Established()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        await alice.StartSessionWith(bob);
        Assert.Equal("hello", await bob.Decrypt(alice, await alice.Encrypt(bob, "hello")));
        Assert.Equal("hi", await alice.Decrypt(bob, await bob.Encrypt(alice, "hi")));
        return (alice, bob);
    }

    /// <summary>Advances the sender's chain as if <paramref name="count"/> messages had been sent and lost.</summary>
    private static async Task FastForwardSendingChain(Party sender, Party receiver, int count)
    {
        var record = (await sender.Store.LoadSessionAsync(receiver.Address))!;
        var chainKey = record.Current!.SenderChainKey;
        for (var i = 0; i < count; i++)
        {
            chainKey = chainKey.Next();
        }

        record.Current.SenderChainKey = chainKey;
        await sender.Store.StoreSessionAsync(receiver.Address, record);
    }
}
