using System.Diagnostics;
using Parley.Client.Messaging;
using Parley.Client.Tests.Infrastructure;
using Parley.Crypto;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;
using Parley.Crypto.Stores;
using Parley.Protocol.Encrypted;
using Parley.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Client.Tests.Messaging;

/// <summary>
/// Measures (reports, does not assert) what encryption costs a user: the crypto alone, and the
/// SDK's encrypt + send until the server's "sent", and until the other client has stored it.
/// </summary>
public sealed class RoundTripMeasurementTests(SqliteServerFixture fixture, ITestOutputHelper output) : IClassFixture<SqliteServerFixture>
{
    private const int Messages = 200;

    [Fact]
    public async Task EncryptAndDecrypt_OfAPaddedTextMessage_InProcess()
    {
        var (alice, bob, bobAddress, aliceAddress) = await SessionPairAsync();
        var padded = ContentPadding.Pad(new Content { SenderNumber = "+15550001111", Data = new DataMessage { Text = "a typical chat message of some length", Timestamp = 1 } });
        var aliceCipher = new SessionCipher(alice, bobAddress);
        var bobCipher = new SessionCipher(bob, aliceAddress);
        await bobCipher.DecryptAsync(await aliceCipher.EncryptAsync(padded)); // prekey message: not the steady state
        await aliceCipher.DecryptAsync(await bobCipher.EncryptAsync(padded));

        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Messages; i++)
        {
            var plaintext = await bobCipher.DecryptAsync(await aliceCipher.EncryptAsync(padded));
            Assert.Equal(padded.Length, plaintext.Length);
        }
        var perMessage = Stopwatch.GetElapsedTime(started).TotalMicroseconds / Messages;
        output.WriteLine($"encrypt+decrypt (padded {padded.Length} B, in-memory stores): {perMessage:F0} µs per message over {Messages}");
    }

    [Fact]
    public async Task SdkSend_UntilSent_AndUntilStoredByTheRecipient()
    {
        await using var alice = await TestDevice.RegisterAsync(fixture.Server);
        await using var bob = await TestDevice.RegisterAsync(fixture.Server);
        await alice.SendAsync(bob, "warm-up");
        await bob.NextMessageAsync("the warm-up message");
        await bob.SendAsync(alice, "warm-up reply");
        await alice.NextMessageAsync("the warm-up reply");

        var sent = new List<double>(Messages);
        var delivered = new List<double>(Messages);
        for (var i = 0; i < Messages; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await alice.SendAsync(bob, $"message {i}");
            sent.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await bob.NextMessageAsync($"message {i}");
            delivered.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        output.WriteLine($"SDK encrypt+send until \"sent\": {Describe(sent)}");
        output.WriteLine($"SDK encrypt+send until the recipient decrypted and stored it: {Describe(delivered)}");
    }

    private static string Describe(List<double> samples)
    {
        samples.Sort();
        return $"median {samples[samples.Count / 2]:F2} ms, p95 {samples[(int)(samples.Count * 0.95)]:F2} ms, max {samples[^1]:F2} ms over {samples.Count}";
    }

    private static async Task<(InMemorySignalProtocolStore Alice, InMemorySignalProtocolStore Bob, ProtocolAddress BobAddress, ProtocolAddress AliceAddress)> SessionPairAsync()
    {
        var alice = new InMemorySignalProtocolStore(KeyHelper.GenerateIdentityKeyPair(), KeyHelper.GenerateRegistrationId());
        var bobIdentity = KeyHelper.GenerateIdentityKeyPair();
        var bob = new InMemorySignalProtocolStore(bobIdentity, KeyHelper.GenerateRegistrationId());
        var signed = KeyHelper.GenerateSignedPreKey(bobIdentity, 1);
        var kyber = KeyHelper.GenerateKyberPreKey(bobIdentity, 1);
        var oneTime = KeyHelper.GeneratePreKeys(1, 1)[0];
        await bob.StoreSignedPreKeyAsync(1, signed);
        await bob.StoreKyberPreKeyAsync(1, kyber);
        await bob.StorePreKeyAsync(1, oneTime);
        var (bobAddress, aliceAddress) = (new ProtocolAddress("bob", 1), new ProtocolAddress("alice", 1));
        await new SessionBuilder(alice, alice, bobAddress).ProcessPreKeyBundleAsync(new PreKeyBundle(
            await bob.GetLocalRegistrationIdAsync(), 1, 1, oneTime.KeyPair.PublicKey, 1, signed.KeyPair.PublicKey, signed.Signature,
            1, kyber.KeyPair.PublicKey, kyber.Signature, bobIdentity.IdentityKey));
        return (alice, bob, bobAddress, aliceAddress);
    }
}
