using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Client.Devices;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Client.Transport;
using Parley.Crypto;
using Parley.Crypto.Kem;
using Parley.Crypto.Keys;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;
using Parley.Crypto.Stores;
using Parley.Protocol.Encrypted;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Devices;

/// <summary>Linked devices through the SDK: fan-out to every device, sync copies, history, and device lists only the primary can change.</summary>
public sealed class LinkedDeviceMessagingTests(LinkingServerFixture fixture) : IClassFixture<LinkingServerFixture>
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task MessageFromALinkedDevice_AppearsOnTheSendersPrimaryAsSentByMe_AndOnEveryRecipientDevice()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await using var aliceLaptop = await LinkedDevices.LinkAsync(alice, "laptop");
        await using var bobTablet = await LinkedDevices.LinkAsync(bob, "tablet");
        await using var bobBrowser = await LinkedDevices.LinkAsync(bob, "browser");

        var sent = await aliceLaptop.SendAsync(bob, "from alice's laptop");

        foreach (var device in new[] { bob, bobTablet, bobBrowser })
        {
            var received = await device.NextMessageAsync("the laptop's message on each of Bob's devices");
            Assert.Equal(("from alice's laptop", alice.Number), (received.Text, received.PeerNumber));
        }
        await alice.WaitForStatusAsync(sent.MessageId, MessageStatus.Sent, "the laptop's message on Alice's phone, as sent by her");
        var onPhone = Assert.Single(await alice.Client.GetHistoryAsync(bob.Number));
        Assert.Equal((MessageDirection.Outgoing, "from alice's laptop"), (onPhone.Direction, onPhone.Text));

        // The other way: the phone writes, the laptop shows it as sent; Bob answers and all of Alice's devices get it.
        var fromPhone = await alice.SendAsync(bob, "from alice's phone");
        await aliceLaptop.WaitForStatusAsync(fromPhone.MessageId, MessageStatus.Sent, "the phone's message on the laptop");
        var answer = await bobTablet.SendAsync(alice, "hi from bob's tablet");
        Assert.Equal("hi from bob's tablet", (await alice.NextMessageAsync("Bob's answer on the phone")).Text);
        Assert.Equal("hi from bob's tablet", (await aliceLaptop.NextMessageAsync("Bob's answer on the laptop")).Text);
        await bob.WaitForStatusAsync(answer.MessageId, MessageStatus.Sent, "the tablet's answer on Bob's phone");
        Assert.Empty(alice.DecryptionFailures.Concat(aliceLaptop.DecryptionFailures).Concat(bob.DecryptionFailures).Concat(bobTablet.DecryptionFailures));
    }

    [Fact]
    public async Task NewDevice_GetsRecentHistoryFromThePrimary_InChunksUnderTheEnvelopeLimit_ButNothingOlderThan30Days()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await alice.SendAsync(bob, "hello bob");
        await bob.NextMessageAsync("hello");
        await bob.SendAsync(alice, "hello alice");
        var hello = await alice.NextMessageAsync("hello back");
        await alice.Client.SendTextAsync(bob.Number, "a reply", hello.MessageId);
        // A long past on the phone: 300 messages of 400 characters (about 140 KB of history) and one from two months ago.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 300; i++)
        {
            await alice.Store.AddMessageAsync(new StoredMessage(RandomNumberGenerator.GetBytes(16), bob.Client.AccountId, bob.Number,
                MessageDirection.Incoming, $"{i:D3} " + new string('x', 396), now - 3_600_000 + i, MessageStatus.Received));
        }
        await alice.Store.AddMessageAsync(new StoredMessage(RandomNumberGenerator.GetBytes(16), bob.Client.AccountId, bob.Number,
            MessageDirection.Incoming, "from two months ago", now - (long)TimeSpan.FromDays(60).TotalMilliseconds, MessageStatus.Received));

        await using var laptop = await LinkedDevices.LinkAsync(alice);

        var history = await laptop.Client.GetHistoryAsync(bob.Number);
        Assert.Equal(303, history.Count);
        Assert.Contains(history, m => m is { Text: "hello bob", Direction: MessageDirection.Outgoing });
        var reply = Assert.Single(history, m => m.Text == "a reply");
        Assert.Equal(("hello alice", bob.Client.AccountId), (reply.Quote?.Text, reply.Quote?.AuthorAccountId)); // the quote travels with the history
        Assert.Contains(history, m => m is { Text: "hello alice", Direction: MessageDirection.Incoming });
        Assert.DoesNotContain(history, m => m.Text == "from two months ago");
        Assert.Empty(laptop.DecryptionFailures);
    }

    [Fact]
    public async Task ADeviceTheServerAddsWithoutThePrimarysSignature_IsRefused_ForgedOrMissingList()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);

        // A malicious server (or someone with its database) slips a device of its own into Bob's account.
        var (intruder, _) = await InsertIntruderAsync(bob);

        // Alice has never written to Bob: she fetches all his bundles, and finds no signed list for device 2.
        var unsigned = await Assert.ThrowsAsync<UntrustedDeviceException>(() => alice.SendAsync(bob, "secret 1"));
        Assert.Equal([2], unsigned.DeviceIds);

        // Now with a device list that names the intruder, signed by a key that is not Bob's primary identity.
        var forged = DeviceListSigner.Sign(intruder, bob.Client.AccountId, 7,
            [(1, (await bob.Client.ListDevicesAsync())[0].IdentityKey), (2, intruder.PublicKey.Serialize())]);
        await Server.ExecuteSqlAsync("""
            INSERT INTO device_lists (account_id, version, list, signature, signer_key, next_device_id) VALUES (@a, 7, @list, @sig, @signer, 3)
            """, ("a", bob.Client.AccountId), ("list", forged.List), ("sig", forged.Signature), ("signer", (await bob.Client.ListDevicesAsync())[0].IdentityKey));
        // Now she holds a session with Bob's phone only; the server says device 2 is missing, and its list does not verify.
        Assert.Equal([2], (await Assert.ThrowsAsync<UntrustedDeviceException>(() => alice.SendAsync(bob, "secret 2"))).DeviceIds);
        Assert.Equal(0, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE account_id = @a AND device_id = 2", ("a", bob.Client.AccountId)));
    }

    [Fact]
    public async Task AMessageFromADeviceThePrimaryDidNotSignFor_IsDropped_NotShownAsTheContacts()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await bob.SendAsync(alice, "hello from the real bob");
        await alice.NextMessageAsync("Bob's real message");

        // The intruder device writes to Alice in Bob's name, with a perfectly valid Signal session of its own.
        var (intruder, password) = await InsertIntruderAsync(bob);
        var credentials = new DeviceCredentials(bob.Client.AccountId, 2, password);
        var bundle = (await Server.NewApi().GetPreKeysAsync(credentials, alice.Client.AccountId, 1)).Devices[0];
        var store = new InMemorySignalProtocolStore(intruder, 4242);
        var address = new ProtocolAddress(alice.Client.AccountId, 1);
        await new SessionBuilder(store, store, address).ProcessPreKeyBundleAsync(new PreKeyBundle((uint)bundle.RegistrationId, 1,
            (uint?)bundle.PreKey?.KeyId, bundle.PreKey is null ? null : ECPublicKey.Deserialize(bundle.PreKey.PublicKey),
            (uint)bundle.SignedPreKey.KeyId, ECPublicKey.Deserialize(bundle.SignedPreKey.PublicKey), bundle.SignedPreKey.Signature,
            (uint)bundle.PqPreKey.KeyId, KyberPublicKey.Deserialize(bundle.PqPreKey.PublicKey), bundle.PqPreKey.Signature, IdentityKey.Deserialize(bundle.IdentityKey)));
        var content = new Content { SenderNumber = bob.Number, Data = new DataMessage { Text = "it's bob, send me your code", Timestamp = 1 } };
        var encrypted = await new SessionCipher(store, address).EncryptAsync(ContentPadding.Pad(content));
        await using (var socket = new ParleyConnection(Server.BaseAddress, credentials))
        {
            await socket.ConnectAsync().WaitAsync(TestDevice.Timeout);
            await socket.SendAsync(new SendMessage
            {
                DestinationAccount = alice.Client.AccountId,
                MessageId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
                ClientTimestamp = 1,
                Ciphertexts =
                {
                    new DeviceCiphertext
                    {
                        DeviceId = 1, RegistrationId = (uint)bundle.RegistrationId, Type = EnvelopeType.PrekeyMessage,
                        Content = ByteString.CopyFrom(encrypted.Serialize()),
                    },
                },
            });
        }
        await bob.SendAsync(alice, "the real bob again");

        Assert.Equal("the real bob again", (await alice.NextMessageAsync("Bob's second real message")).Text);
        var dropped = Assert.Single(alice.DecryptionFailures);
        Assert.Equal((bob.Client.AccountId, 2u), (dropped.SenderAccountId, dropped.SenderDevice));
        Assert.Contains("primary signed", dropped.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(await alice.Client.GetHistoryAsync(bob.Number), m => m.Text.Contains("code", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADeviceTheServerSlipsIntoMyOwnAccount_GetsNoSyncCopies_AndThePrimaryWillNotSignIt()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await InsertIntruderAsync(alice);

        // The message to Bob goes out, but the copy for "my other devices" is refused: the primary never signed device 2.
        Assert.Equal([2], (await Assert.ThrowsAsync<UntrustedDeviceException>(() => alice.SendAsync(bob, "hello"))).DeviceIds);
        Assert.Equal("hello", (await bob.NextMessageAsync("the message itself")).Text);
        // Only message copies count: Bob's delivery receipt is server-generated and goes to every device row.
        Assert.Equal(0, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE account_id = @a AND device_id = 2 AND type IN (@c, @p)",
            ("a", alice.Client.AccountId), ("c", (int)EnvelopeType.Ciphertext), ("p", (int)EnvelopeType.PrekeyMessage)));

        // Linking a real device must not smuggle the intruder into the list the primary signs.
        var code = await alice.Client.CreateLinkCodeAsync();
        await NewDeviceLink.PresentAsync(Server.NewApi(), new InMemoryClientStore(), LinkPayload.Parse(code.Code), "laptop");
        var pending = Assert.Single(await alice.Client.ListPendingLinksAsync());
        Assert.Equal([2], (await Assert.ThrowsAsync<UntrustedDeviceException>(() => alice.Client.ApproveLinkAsync(pending.LinkId))).DeviceIds);
        Assert.Equal(0, await Server.ScalarAsync("SELECT COUNT(*) FROM devices WHERE account_id = @a AND device_id = 3", ("a", alice.Client.AccountId)));
    }

    /// <summary>What a malicious server could do on its own: a device row with its own keys and a known password, no primary signature.</summary>
    private async Task<(IdentityKeyPair Identity, string Password)> InsertIntruderAsync(TestDevice victim)
    {
        var intruder = KeyHelper.GenerateIdentityKeyPair();
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var spk = KeyHelper.GenerateSignedPreKey(intruder, 1);
        var kyber = KeyHelper.GenerateKyberPreKey(intruder, 1);
        await Server.ExecuteSqlAsync("""
            INSERT INTO devices (account_id, device_id, registration_id, credential_hash, identity_key, signed_prekey_id, signed_prekey,
                                 signed_prekey_signature, name, created_at)
            VALUES (@a, 2, 4242, @hash, @identity, 1, @spk, @spkSig, 'intruder', 0)
            """, ("a", victim.Client.AccountId), ("hash", SHA256.HashData(Encoding.UTF8.GetBytes(password))), ("identity", intruder.PublicKey.Serialize()),
            ("spk", spk.KeyPair.PublicKey.Serialize()), ("spkSig", spk.Signature));
        await Server.ExecuteSqlAsync("INSERT INTO kyber_prekeys (account_id, device_id, key_id, public_key, signature, last_resort) VALUES (@a, 2, 1, @k, @s, 1)",
            ("a", victim.Client.AccountId), ("k", kyber.KeyPair.PublicKey.Serialize()), ("s", kyber.Signature));
        return (intruder, password);
    }

    [Fact]
    public async Task UnlinkedDevice_IsLoggedOut_AndThePrimaryKeepsSendingWithoutIt()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        var laptop = await LinkedDevices.LinkAsync(alice);
        var laptopCredentials = laptop.Client.Account.Credentials;
        await alice.SendAsync(bob, "while linked");
        await bob.NextMessageAsync("the first message");

        await alice.Client.UnlinkDeviceAsync(laptop.Client.Account.DeviceId);

        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => Server.NewApi().GetDevicesAsync(laptopCredentials));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.Status);
        await using (var again = new ParleyConnection(Server.BaseAddress, laptopCredentials))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => again.ConnectAsync().WaitAsync(TestDevice.Timeout));
        }
        await alice.SendAsync(bob, "after unlinking");
        Assert.Equal("after unlinking", (await bob.NextMessageAsync("the message after unlinking")).Text);
        Assert.Equal([1], (await alice.Client.ListDevicesAsync()).Select(d => d.DeviceId));
        await laptop.DisposeAsync();
    }
}
