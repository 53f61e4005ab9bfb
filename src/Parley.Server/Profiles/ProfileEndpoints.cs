using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;
using Parley.Server.Media;
using Parley.Server.Presence;
using Parley.Server.Privacy;

namespace Parley.Server.Profiles;

/// <summary>
/// Profiles: the display name is seen by everyone who can message you (as in WhatsApp); about
/// text and photo follow your privacy settings, and a hidden one looks exactly like an unset one.
/// </summary>
public static class ProfileEndpoints
{
    public const int MaxNameLength = 25;
    public const int MaxAboutLength = 139;
    private const string EncryptedPhotoType = "application/octet-stream";

    public static void MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        var own = app.MapGroup("/v1/profile").WithTags("Profiles").RequireAuthorization();
        own.MapPut("/", UpdateAsync).WithSummary($"Set your display name (1-{MaxNameLength} characters) and/or about text (up to {MaxAboutLength}).");
        own.MapPut("/photo", SetPhotoAsync).WithSummary("Set your profile photo: the request body is the photo encrypted under your profile key.");
        own.MapDelete("/photo", (ClaimsPrincipal user, ProfileStore store, IGrainFactory grains, CancellationToken cancellationToken) =>
            ChangedAsync(user, grains, store.UpdatePhotoAsync(user.Device().AccountId, null, null, cancellationToken)))
            .WithSummary("Remove your profile photo.");

        var others = app.MapGroup("/v1/profiles").WithTags("Profiles").RequireAuthorization();
        others.MapGet("/{accountId}", GetAsync).WithSummary("An account's profile, as its privacy settings let you see it.");
        others.MapGet("/{accountId}/photo", GetPhotoAsync).WithSummary("An account's profile photo; 404 when it has none you may see.");
    }

    private static async Task<IResult> UpdateAsync(UpdateProfileRequest request, ClaimsPrincipal user, ProfileStore store, IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (name is not null && (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl)))
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, $"A name has 1 to {MaxNameLength} characters and no control characters.");
        }
        var about = request.About?.Trim();
        if (about is not null && (about.Length > MaxAboutLength || about.Any(char.IsControl)))
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, $"The about text has at most {MaxAboutLength} characters and no control characters.");
        }
        return await ChangedAsync(user, grains, store.UpdateTextAsync(user.Device().AccountId, name, about, cancellationToken));
    }

    private static async Task<IResult> SetPhotoAsync(HttpRequest request, ClaimsPrincipal user, ProfileStore store, PhotoBlobs photos,
        IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (mediaId, refused) = await photos.ReceiveAsync(request, cancellationToken);
        return refused ?? await ChangedAsync(user, grains, store.UpdatePhotoAsync(user.Device().AccountId, mediaId, EncryptedPhotoType, cancellationToken));
    }

    private static async Task<IResult> GetAsync(string accountId, ClaimsPrincipal user, ProfileStore store, AccountStore accounts,
        PrivacyPolicy privacy, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(accountId, out _) || !await accounts.ExistsAsync(accountId, cancellationToken))
        {
            return ApiProblem.NotFound(ErrorCodes.UnknownAccount, "No such account.");
        }
        var viewer = user.Device().AccountId;
        var profile = await store.FindAsync(accountId, cancellationToken) ?? new StoredProfile("", "", false, 0);
        var about = await privacy.AllowsAsync(accountId, viewer, PrivacyTopic.About, cancellationToken) ? profile.About : null;
        var hasPhoto = profile.HasPhoto && await privacy.AllowsAsync(accountId, viewer, PrivacyTopic.ProfilePhoto, cancellationToken);
        return Results.Ok(new ProfileResponse(accountId, profile.Name, about, hasPhoto, profile.Version));
    }

    private static async Task<IResult> GetPhotoAsync(string accountId, ClaimsPrincipal user, ProfileStore store, PrivacyPolicy privacy,
        CancellationToken cancellationToken)
    {
        if (Guid.TryParse(accountId, out _)
            && await privacy.AllowsAsync(accountId, user.Device().AccountId, PrivacyTopic.ProfilePhoto, cancellationToken)
            && await store.FindPhotoAsync(accountId, cancellationToken) is { } found)
        {
            return Results.File(found.Photo, found.ContentType);
        }
        return ApiProblem.NotFound(ErrorCodes.UnknownAccount, "This account has no profile photo you can see.");
    }

    /// <summary>Answers the change with the new version and tells the account's watchers.</summary>
    private static async Task<IResult> ChangedAsync(ClaimsPrincipal user, IGrainFactory grains, Task<long> change)
    {
        var version = await change;
        await grains.GetGrain<IPresenceGrain>(user.Device().AccountId).ProfileChanged(version);
        return Results.Ok(new ProfileVersionResponse(version));
    }
}
