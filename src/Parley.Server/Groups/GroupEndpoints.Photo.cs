using System.Security.Claims;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;
using Parley.Server.Media;

namespace Parley.Server.Groups;

/// <summary>
/// The group photo, end to end encrypted: a member encrypts it under a fresh key that it sends to the
/// other members inside their encrypted messages; the server keeps the blob (members only) and the
/// group's <c>picture</c> is the blob's id, changed like any other group info.
/// </summary>
public static partial class GroupEndpoints
{
    private static void MapPhotoEndpoints(RouteGroupBuilder group)
    {
        group.MapPut("/{groupId}/photo", SetPhotoAsync)
            .WithSummary("Set the group photo: the body is the photo encrypted on the device (whoever may edit the group info).");
        group.MapDelete("/{groupId}/photo", async (string groupId, ClaimsPrincipal user, IGrainFactory grains, PhotoBlobs photos,
            CancellationToken cancellationToken) => await ChangePictureAsync(groupId, "", user, grains, photos, cancellationToken))
            .WithSummary("Remove the group photo.");
        group.MapGet("/{groupId}/photo", GetPhotoAsync).WithSummary("The group photo's encrypted blob (members only); 404 when it has none.");
    }

    private static async Task<IResult> SetPhotoAsync(string groupId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains,
        PhotoBlobs photos, CancellationToken cancellationToken)
    {
        var member = await Grain(grains, groupId).Get(user.Device().AccountId);
        if (member.Group is null)
        {
            return Problem(member); // nothing is stored for a non-member
        }
        var (mediaId, refused) = await photos.ReceiveAsync(request, cancellationToken);
        return refused ?? await ChangePictureAsync(groupId, mediaId!, user, grains, photos, cancellationToken);
    }

    /// <summary>Points the group at another photo blob ("" for none); deletes whichever blob is no longer shown.</summary>
    private static async Task<IResult> ChangePictureAsync(string groupId, string mediaId, ClaimsPrincipal user, IGrainFactory grains,
        PhotoBlobs photos, CancellationToken cancellationToken)
    {
        var grain = Grain(grains, groupId);
        var account = user.Device().AccountId;
        var current = await grain.Get(account);
        if (current.Group is { } unchanged && unchanged.Picture == mediaId)
        {
            return Results.Ok(ToResponse(unchanged)); // the same photo again, or removing none: no new version, no event
        }
        var before = current.Group?.Picture;
        var outcome = await grain.Update(account, new GroupInfoChange(null, null, mediaId, null, null));
        if (outcome.Group is null)
        {
            await photos.DeleteIfUnusedAsync(mediaId, cancellationToken);
            return Problem(outcome);
        }
        if (before != mediaId)
        {
            await photos.DeleteIfUnusedAsync(before, cancellationToken);
        }
        return Results.Ok(ToResponse(outcome.Group));
    }

    private static async Task<IResult> GetPhotoAsync(string groupId, ClaimsPrincipal user, IGrainFactory grains, PhotoBlobs photos,
        CancellationToken cancellationToken)
    {
        var outcome = await Grain(grains, groupId).Get(user.Device().AccountId);
        if (outcome.Group is not { } group)
        {
            return Problem(outcome);
        }
        return MediaIds.IsMediaId(group.Picture) && await photos.ReadAsync(group.Picture, cancellationToken) is { } blob
            ? Results.File(blob, "application/octet-stream")
            : ApiProblem.NotFound(ErrorCodes.InvalidRequest, "This group has no photo.");
    }

    private static IResult PictureOnlyThroughPhoto() => ApiProblem.BadRequest(ErrorCodes.InvalidRequest,
        "The group photo is set with PUT /v1/groups/{id}/photo (encrypted on the device), not as a picture field.");
}
