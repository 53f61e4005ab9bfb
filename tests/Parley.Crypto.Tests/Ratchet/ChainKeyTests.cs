using Parley.Crypto.Ratchet;

namespace Parley.Crypto.Tests.Ratchet;

public class ChainKeyTests
{
    [Fact]
    public void ChainKey_DerivesLibsignalsKnownMessageKeysAndNextChainKey()
    {
        // libsignal rust/protocol ratchet/keys.rs test_chain_key_derivation.
        var seed = Convert.FromHexString("8ab72d6f4cc5ac0d387eaf463378ddb28edd07385b1cb01250c715982e7ad48f");
        var chainKey = new ChainKey(seed, 0);
        var keys = chainKey.MessageKeys();
        Assert.Equal("bf51e9d75e0e31031051f82a2491ffc084fa298b7793bd9db620056febf45217", Convert.ToHexString(keys.CipherKey).ToLowerInvariant());
        Assert.Equal("c6c77d6a73a354337a56435e34607dfe48e3ace14e77314dc6abc172e7a7030b", Convert.ToHexString(keys.MacKey).ToLowerInvariant());
        Assert.Equal("28e8f8fee54b801eef7c5cfb2f17f32c7b334485bbb70fac6ec10342a246d15d", Convert.ToHexString(chainKey.Next().Key).ToLowerInvariant());
        Assert.Equal(0u, keys.Counter);
        Assert.Equal(1u, chainKey.Next().MessageKeys().Counter);
    }
}
