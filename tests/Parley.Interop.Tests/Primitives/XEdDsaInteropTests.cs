using Parley.Crypto.Keys;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Primitives;

/// <summary>
/// XEdDSA signatures by Curve25519 keys, across implementations. libsignal carries the Edwards
/// sign bit in bit 7 of the last signature byte; about half of all signatures have it set, so
/// each direction runs over many keys and asserts that both kinds were seen.
/// </summary>
[Collection(LibsignalCollection.Name)]
public sealed class XEdDsaInteropTests(LibsignalHarness libsignal)
{
    private const int Rounds = 200;

    [Fact]
    public async Task Signatures_made_by_Parley_verify_in_libsignal_for_many_keys_and_messages()
    {
        var random = new Random(1001);
        var signBits = new HashSet<int>();
        for (var i = 0; i < Rounds; i++)
        {
            var pair = ECKeyPair.Generate();
            var message = RandomMessage(random);
            var signature = pair.PrivateKey.CalculateSignature(message);
            signBits.Add(signature[^1] >> 7);

            Assert.True(await libsignal.VerifyAsync(pair.PublicKey.Serialize(), message, signature),
                $"libsignal rejected Parley's signature {Convert.ToHexString(signature)} by {pair.PublicKey} over {Convert.ToHexString(message)}");
        }
        Assert.Equal([0, 1], signBits.Order());
    }

    [Fact]
    public async Task Signatures_made_by_libsignal_verify_in_Parley_for_many_keys_and_messages()
    {
        var random = new Random(1002);
        var signBits = new HashSet<int>();
        for (var i = 0; i < Rounds; i++)
        {
            var (publicKey, privateKey) = await libsignal.GenerateKeyPairAsync();
            var message = RandomMessage(random);
            var signature = await libsignal.SignAsync(privateKey, message);
            signBits.Add(signature[^1] >> 7);

            Assert.True(ECPublicKey.Deserialize(publicKey).VerifySignature(message, signature),
                $"Parley rejected libsignal's signature {Convert.ToHexString(signature)} by {Convert.ToHexString(publicKey)} over {Convert.ToHexString(message)}");
        }
        Assert.Equal([0, 1], signBits.Order());
    }

    [Fact]
    public async Task Parley_and_libsignal_sign_with_the_same_private_key_and_each_verifies_the_other()
    {
        var random = new Random(1003);
        for (var i = 0; i < 50; i++)
        {
            var pair = ECKeyPair.Generate();
            var message = RandomMessage(random);
            var byLibsignal = await libsignal.SignAsync(pair.PrivateKey.Serialize(), message);
            var byParley = pair.PrivateKey.CalculateSignature(message);

            Assert.True(pair.PublicKey.VerifySignature(message, byLibsignal), $"Parley rejected libsignal's signature by its own key {pair.PublicKey}");
            Assert.True(await libsignal.VerifyAsync(pair.PublicKey.Serialize(), message, byParley), $"libsignal rejected Parley's signature by {pair.PublicKey}");
        }
    }

    [Fact]
    public async Task A_libsignal_signature_with_any_flipped_bit_or_another_message_is_rejected_by_Parley_as_by_libsignal()
    {
        var random = new Random(1004);
        for (var i = 0; i < 40; i++)
        {
            var (publicKey, privateKey) = await libsignal.GenerateKeyPairAsync();
            var key = ECPublicKey.Deserialize(publicKey);
            var message = RandomMessage(random);
            var signature = await libsignal.SignAsync(privateKey, message);

            // Bit 7 of the last byte is the sign bit that a paper-strict verifier mishandles.
            foreach (var bit in new[] { 511, random.Next(511), 255 })
            {
                var forged = (byte[])signature.Clone();
                forged[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.False(await libsignal.VerifyAsync(publicKey, message, forged));
                Assert.False(key.VerifySignature(message, forged), $"Parley accepted {Convert.ToHexString(forged)} (bit {bit} flipped)");
            }
            var other = RandomMessage(random);
            if (!other.AsSpan().SequenceEqual(message))
            {
                Assert.False(key.VerifySignature(other, signature), "Parley accepted a signature over another message");
            }
        }
    }

    private static byte[] RandomMessage(Random random)
    {
        var message = new byte[random.Next(0, 300)];
        random.NextBytes(message);
        return message;
    }
}
