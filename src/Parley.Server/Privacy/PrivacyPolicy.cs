using Parley.Server.Presence;
using Parley.Server.Storage;

namespace Parley.Server.Privacy;

/// <summary>
/// The one place that answers "may this account see that / do this to me?". Block lists and
/// settings are read on the send path, so they come from a node-local cache;
/// changes made through <see cref="ChangedAsync"/> take effect at once.
/// </summary>
public sealed class PrivacyPolicy(PrivacyStore store, IGrainFactory grains, TimeProvider clock)
{
    private readonly LocalCache<AccountPrivacy> _cache = new(clock, store.LoadAsync);

    public ValueTask<AccountPrivacy> GetAsync(string accountId, CancellationToken cancellationToken) =>
        _cache.GetAsync(accountId, cancellationToken);

    /// <summary>Whether <paramref name="owner"/> blocked <paramref name="other"/>.</summary>
    public async ValueTask<bool> HasBlockedAsync(string owner, string other, CancellationToken cancellationToken) =>
        (await GetAsync(owner, cancellationToken)).Blocked.Contains(other);

    /// <summary>
    /// Whether <paramref name="viewer"/> may see <paramref name="owner"/>'s <paramref name="topic"/>
    /// (for <see cref="PrivacyTopic.Groups"/>: may add the owner to a group). You always see your own.
    /// </summary>
    public async Task<bool> AllowsAsync(string owner, string viewer, PrivacyTopic topic, CancellationToken cancellationToken)
    {
        if (owner == viewer)
        {
            return true;
        }
        var privacy = await GetAsync(owner, cancellationToken);
        if (privacy.Blocked.Contains(viewer))
        {
            return false;
        }
        return privacy.AudienceOf(topic) switch
        {
            Audience.Everyone => true,
            Audience.Nobody => false,
            Audience.ContactsExcept when privacy.ExceptionsOf(topic).Contains(viewer) => false,
            _ => await store.IsContactAsync(owner, viewer, cancellationToken),
        };
    }

    /// <summary>Read receipts flow between two accounts only when both have them on (WhatsApp's rule).</summary>
    public async ValueTask<bool> ReadReceiptsFlowAsync(string reader, string author, CancellationToken cancellationToken) =>
        (await GetAsync(reader, cancellationToken)).ReadReceipts && (await GetAsync(author, cancellationToken)).ReadReceipts;

    /// <summary>
    /// Call after anything that changes who may see <paramref name="accountId"/>'s data (settings,
    /// blocks, its address book): drops the cached copy and lets watchers gain or lose its presence.
    /// </summary>
    public Task ChangedAsync(string accountId)
    {
        _cache.Invalidate(accountId);
        return grains.GetGrain<IPresenceGrain>(accountId).RefreshVisibility();
    }
}
