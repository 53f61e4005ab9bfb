using Parley.Crypto.Messages;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;

namespace Parley.Crypto.Tests.Sessions;

/// <summary>Session establishment, identity trust, archiving and failure atomicity.</summary>
public class SessionSetupTests
{
    [Fact]
    public async Task PreKeyMessage_FailedDecryption_DoesNotUpdateStores()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        var bundle = bob.Bundle();
        await new SessionBuilder(alice.Store, alice.Store, bob.Address).ProcessPreKeyBundleAsync(bundle);
        var message = (PreKeySignalMessage)await alice.Encrypt(bob, "hello");

        // Corrupt the inner message's MAC, keep the prekey header intact.
        var inner = message.Message.Serialize();
        inner[^1] ^= 0x01;
        var tampered = PreKeySignalMessage.Deserialize(RebuildWithInner(message, inner));

        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => new SessionCipher(bob.Store, alice.Address).DecryptAsync(tampered));
        Assert.Equal(SignalError.InvalidMac, e.Error);
        Assert.Null(await bob.Store.LoadSessionAsync(alice.Address));
        Assert.Null(await bob.Store.GetIdentityAsync(alice.Address));
        Assert.NotNull(await bob.Store.LoadPreKeyAsync(bundle.PreKeyId!.Value));
        Assert.NotNull(await bob.Store.LoadKyberPreKeyAsync(bundle.KyberPreKeyId));

        // The untampered message still works afterwards, and consumes the one-time keys.
        Assert.Equal("hello", await bob.Decrypt(alice, message));
        Assert.Null(await bob.Store.LoadPreKeyAsync(bundle.PreKeyId!.Value));
        Assert.Null(await bob.Store.LoadKyberPreKeyAsync(bundle.KyberPreKeyId));
        Assert.Equal(alice.Identity.IdentityKey, await bob.Store.GetIdentityAsync(alice.Address));
    }

    [Fact]
    public async Task PreKeyMessage_WhenOneTimePreKeyIsUnknown_ThrowsInvalidPreKeyIdAndStoresNothing()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        var bundle = bob.Bundle();
        await new SessionBuilder(alice.Store, alice.Store, bob.Address).ProcessPreKeyBundleAsync(bundle);
        await bob.Store.RemovePreKeyAsync(bundle.PreKeyId!.Value);

        var message = await alice.Encrypt(bob, "x");
        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, message));
        Assert.Equal(SignalError.InvalidPreKeyId, e.Error);
        Assert.Null(await bob.Store.LoadSessionAsync(alice.Address));
    }

    [Fact]
    public async Task PreKeyMessage_WhenSignedPreKeyIsUnknown_ThrowsInvalidSignedPreKeyId()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        // Bundle signed by Bob's identity but naming a signed prekey id Bob never stored.
        var bundle = bob.Bundle() with { SignedPreKeyId = 99 };
        await new SessionBuilder(alice.Store, alice.Store, bob.Address).ProcessPreKeyBundleAsync(bundle);
        var message = await alice.Encrypt(bob, "x");
        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, message));
        Assert.Equal(SignalError.InvalidSignedPreKeyId, e.Error);
    }

    [Fact]
    public async Task PreKeyMessage_WhenKyberPreKeyIsUnknown_ThrowsInvalidKyberPreKeyId()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        await alice.StartSessionWith(bob);
        var message = await alice.Encrypt(bob, "x");
        await bob.Store.MarkKyberPreKeyUsedAsync(bob.KyberPreKey.Id);
        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => bob.Decrypt(alice, message));
        Assert.Equal(SignalError.InvalidKyberPreKeyId, e.Error);
    }

    [Fact]
    public async Task PreKeyMessage_WithLastResortKyberKeyAndNoOneTimePreKey_EstablishesAndKeepsTheKyberKey()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        await bob.Store.StoreLastResortKyberPreKeyAsync(bob.KyberPreKey.Id, bob.KyberPreKey);
        await alice.StartSessionWith(bob, withOneTimePreKey: false);
        var message = (PreKeySignalMessage)await alice.Encrypt(bob, "no one-time key");
        Assert.Null(message.PreKeyId);
        Assert.Equal("no one-time key", await bob.Decrypt(alice, message));
        Assert.NotNull(await bob.Store.LoadKyberPreKeyAsync(bob.KyberPreKey.Id));
    }

    [Fact]
    public async Task ProcessPreKeyBundle_WhenSignedPreKeySignatureIsForged_ThrowsInvalidSignatureAndStoresNothing()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        var signature = (byte[])bob.SignedPreKey.Signature.Clone();
        signature[5] ^= 0x01;
        var bundle = bob.Bundle() with { SignedPreKeySignature = signature };
        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => new SessionBuilder(alice.Store, alice.Store, bob.Address).ProcessPreKeyBundleAsync(bundle));
        Assert.Equal(SignalError.InvalidSignature, e.Error);
        Assert.Null(await alice.Store.LoadSessionAsync(bob.Address));
    }

    [Fact]
    public async Task ProcessPreKeyBundle_WhenKyberSignatureIsByAnotherIdentity_ThrowsInvalidSignature()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        var mallory = new Party("mallory");
        var bundle = bob.Bundle() with { KyberPreKeyPublic = mallory.KyberPreKey.KeyPair.PublicKey, KyberPreKeySignature = mallory.KyberPreKey.Signature };
        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => new SessionBuilder(alice.Store, alice.Store, bob.Address).ProcessPreKeyBundleAsync(bundle));
        Assert.Equal(SignalError.InvalidSignature, e.Error);
    }

    [Fact]
    public async Task ProcessPreKeyBundle_WhenBobsIdentityChanged_ThrowsUntrustedIdentityUntilAccepted()
    {
        var (alice, bob) = await SessionCipherTests.Established();
        var reinstalledBob = new Party("bob");

        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => alice.StartSessionWith(reinstalledBob));
        Assert.Equal(SignalError.UntrustedIdentity, e.Error);
        Assert.Equal(bob.Identity.IdentityKey, await alice.Store.GetIdentityAsync(bob.Address));

        // The user accepts the new safety number; the client saves the key and retries.
        Assert.Equal(Stores.IdentityChange.ReplacedExisting, await alice.Store.SaveIdentityAsync(bob.Address, reinstalledBob.Identity.IdentityKey));
        await alice.StartSessionWith(reinstalledBob);
        Assert.Equal("welcome back", await reinstalledBob.Decrypt(alice, await alice.Encrypt(reinstalledBob, "welcome back")));
    }

    [Fact]
    public async Task Decrypt_WhenPeerReinstalledAndSendsPreKeyMessage_ThrowsUntrustedIdentityAndStoresNothing()
    {
        var (alice, bob) = await SessionCipherTests.Established();
        var reinstalledBob = new Party("bob");
        await reinstalledBob.StartSessionWith(alice);
        var message = await reinstalledBob.Encrypt(alice, "new phone");
        var before = await alice.SessionBytes(bob);

        var e = await Assert.ThrowsAsync<SignalProtocolException>(() => alice.Decrypt(reinstalledBob, message));
        Assert.Equal(SignalError.UntrustedIdentity, e.Error);
        Assert.Equal(before, await alice.SessionBytes(bob));

        await alice.Store.SaveIdentityAsync(bob.Address, reinstalledBob.Identity.IdentityKey);
        Assert.Equal("new phone", await alice.Decrypt(reinstalledBob, message));
    }

    [Fact]
    public async Task SimultaneousInitiation_BothSidesConvergeOnOneSession()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        await alice.StartSessionWith(bob);
        await bob.StartSessionWith(alice);
        var fromAlice = await alice.Encrypt(bob, "hi from alice");
        var fromBob = await bob.Encrypt(alice, "hi from bob");
        Assert.Equal(CiphertextMessageType.PreKey, fromAlice.Type);
        Assert.Equal(CiphertextMessageType.PreKey, fromBob.Type);

        Assert.Equal("hi from alice", await bob.Decrypt(alice, fromAlice));
        Assert.Equal("hi from bob", await alice.Decrypt(bob, fromBob));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"a{i}", await bob.Decrypt(alice, await alice.Encrypt(bob, $"a{i}")));
            Assert.Equal($"b{i}", await alice.Decrypt(bob, await bob.Encrypt(alice, $"b{i}")));
        }

        var aliceRecord = (await alice.Store.LoadSessionAsync(bob.Address))!;
        var bobRecord = (await bob.Store.LoadSessionAsync(alice.Address))!;
        Assert.Equal(aliceRecord.Current!.AliceBaseKey, bobRecord.Current!.AliceBaseKey);
        Assert.Equal(CiphertextMessageType.Whisper, (await alice.Encrypt(bob, "settled")).Type);
    }

    [Fact]
    public async Task SimultaneousInitiation_WhenOneInitialMessageIsLost_TheOtherSessionWins()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        await alice.StartSessionWith(bob);
        await bob.StartSessionWith(alice);
        _ = await alice.Encrypt(bob, "lost");
        var fromBob = await bob.Encrypt(alice, "hi from bob");
        Assert.Equal("hi from bob", await alice.Decrypt(bob, fromBob));

        // Alice now replies inside Bob's session; Bob promotes it from his archive.
        var reply = await alice.Encrypt(bob, "reply");
        Assert.Equal(CiphertextMessageType.Whisper, reply.Type);
        Assert.Equal("reply", await bob.Decrypt(alice, reply));
        Assert.Equal("more", await alice.Decrypt(bob, await bob.Encrypt(alice, "more")));
    }

    [Fact]
    public async Task Decrypt_WhenMessageBelongsToAnArchivedSession_DecryptsAndPromotesIt()
    {
        var (alice, bob) = await SessionCipherTests.Established();
        var late = await bob.Encrypt(alice, "sent before the reset");

        // Alice starts over (e.g. after a decryption error) with a new bundle: the old session is archived.
        await alice.StartSessionWith(bob);
        Assert.Equal(1, (await alice.Store.LoadSessionAsync(bob.Address))!.PreviousStateCount);

        Assert.Equal("sent before the reset", await alice.Decrypt(bob, late));
        var record = (await alice.Store.LoadSessionAsync(bob.Address))!;
        Assert.Equal(1, record.PreviousStateCount);
        Assert.Null(record.Current!.PendingPreKey);
    }

    [Fact]
    public async Task ArchivedStates_AreCappedAtArchivedStatesMaxLength()
    {
        var alice = new Party("alice");
        var bob = new Party("bob");
        for (var i = 0; i < ProtocolConstants.ArchivedStatesMaxLength + 5; i++)
        {
            await alice.StartSessionWith(bob, withOneTimePreKey: false);
        }

        Assert.Equal(ProtocolConstants.ArchivedStatesMaxLength, (await alice.Store.LoadSessionAsync(bob.Address))!.PreviousStateCount);
    }

    [Fact]
    public async Task ReceiverChains_AreCappedAtMaxReceiverChains()
    {
        var (alice, bob) = await SessionCipherTests.Established();
        for (var i = 0; i < ProtocolConstants.MaxReceiverChains + 3; i++)
        {
            Assert.Equal($"b{i}", await alice.Decrypt(bob, await bob.Encrypt(alice, $"b{i}")));
            Assert.Equal($"a{i}", await bob.Decrypt(alice, await alice.Encrypt(bob, $"a{i}")));
        }

        var record = (await alice.Store.LoadSessionAsync(bob.Address))!;
        Assert.Equal(ProtocolConstants.MaxReceiverChains, record.Current!.Structure.ReceiverChains.Count);
    }

    private static byte[] RebuildWithInner(PreKeySignalMessage m, byte[] inner)
    {
        var proto = Protos.Wire.PreKeySignalMessage.Parser.ParseFrom(m.Serialize().AsSpan(1));
        proto.Message = Google.Protobuf.ByteString.CopyFrom(inner);
        return [m.Serialize()[0], .. Google.Protobuf.MessageExtensions.ToByteArray(proto)];
    }
}
