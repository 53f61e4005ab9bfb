using Parley.Client.Api;
using Parley.Client.Storage;
using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Crypto.PreKeys;
using Parley.Protocol.Rest;

namespace Parley.Client.Messaging;

/// <summary>
/// Keeps the server stocked with one-time prekeys. Private halves are stored locally, and the id
/// counters advanced, <i>before</i> the public halves are uploaded: a key the server hands out is
/// always one we can still use, and an id is never reused.
/// </summary>
internal sealed class PreKeyUploader(IClientStore store, ParleyApi api, ClientOptions options)
{
    /// <summary>libsignal keeps prekey ids below 2^24 (protobuf-friendly "medium" ids).</summary>
    private const uint MaxKeyId = 0xFFFFFF;

    /// <summary>Kyber id 1 is the last-resort key; one-time Kyber keys start after it.</summary>
    public const uint LastResortKyberId = 1;

    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>Uploads fresh batches of whichever kind the server runs low on; returns whether it uploaded.</summary>
    public async Task<bool> ReplenishAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var account = await store.LoadAccountAsync() ?? throw new NotRegisteredException();
            var status = await api.GetKeyStatusAsync(account.Credentials, cancellationToken);
            return await UploadAsync(account, status.Count < options.PreKeyLowWatermark, status.PqCount < options.PreKeyLowWatermark, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The first batch right after registration.</summary>
    public async Task UploadInitialAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var account = await store.LoadAccountAsync() ?? throw new NotRegisteredException();
            await UploadAsync(account, ec: true, kyber: true, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<bool> UploadAsync(LocalAccount account, bool ec, bool kyber, CancellationToken cancellationToken)
    {
        if (!ec && !kyber)
        {
            return false;
        }
        var identity = IdentityKeyPair.Deserialize(account.IdentityKeyPair);
        var batch = options.PreKeyBatchSize;
        var preKeys = new List<PreKeyDto>();
        var pqPreKeys = new List<KyberPreKeyDto>();
        var updated = account;
        await store.AtomicallyAsync(async () =>
        {
            if (ec)
            {
                for (var i = 0; i < batch; i++)
                {
                    var key = new PreKeyRecord(Advance(account.NextPreKeyId, i, 1), ECKeyPair.Generate());
                    await store.StorePreKeyAsync(PreKeyKind.OneTime, key.Id, new StoredPreKey(key.Serialize(), LastResort: false));
                    preKeys.Add(new PreKeyDto((int)key.Id, key.KeyPair.PublicKey.Serialize()));
                }
                updated = updated with { NextPreKeyId = Advance(account.NextPreKeyId, batch, 1) };
            }
            if (kyber)
            {
                for (var i = 0; i < batch; i++)
                {
                    var key = KeyHelper.GenerateKyberPreKey(identity, Advance(account.NextKyberPreKeyId, i, LastResortKyberId + 1));
                    await store.StorePreKeyAsync(PreKeyKind.Kyber, key.Id, new StoredPreKey(key.Serialize(), LastResort: false));
                    pqPreKeys.Add(new KyberPreKeyDto((int)key.Id, key.KeyPair.PublicKey.Serialize(), key.Signature));
                }
                updated = updated with { NextKyberPreKeyId = Advance(account.NextKyberPreKeyId, batch, LastResortKyberId + 1) };
            }
            await store.SaveAccountAsync(updated);
            return true;
        });
        await api.SetKeysAsync(account.Credentials, new SetKeysRequest(preKeys.Count > 0 ? preKeys : null, PqPreKeys: pqPreKeys.Count > 0 ? pqPreKeys : null),
            cancellationToken);
        return true;
    }

    /// <summary>The id <paramref name="offset"/> places after <paramref name="next"/>, wrapping to <paramref name="first"/> past the maximum.</summary>
    private static uint Advance(uint next, int offset, uint first) =>
        first + (uint)(((long)next - first + offset) % (MaxKeyId - first + 1));
}
