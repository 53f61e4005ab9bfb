using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Hosting;

namespace Parley.Server.Media;

/// <summary>
/// The media store's REST face: resumable uploads of encrypted blobs (tus-like: create, PATCH with
/// Upload-Offset, GET the offset after a drop, finish), downloads with HTTP range requests, and
/// download confirmations that let the server delete a blob once every recipient device has it.
/// </summary>
public static class MediaEndpoints
{
    public const string UploadPolicy = "media-upload";

    /// <summary>One writer per upload: a retry waits for the request it replaces to finish writing.</summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Writers = new();

    private static readonly TimeSpan StatusWait = TimeSpan.FromSeconds(10);

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/media").WithTags("Media").RequireAuthorization();
        group.MapPost("/uploads", CreateAsync).RequireRateLimiting(UploadPolicy)
            .WithSummary("Announce an encrypted blob (kind, size); refused at once when over the kind's limit or the account's quota.");
        group.MapGet("/uploads/{uploadId}", StatusAsync)
            .WithSummary("How many bytes of an upload the server holds (also in the Upload-Offset header): resume from there.");
        group.MapMethods("/uploads/{uploadId}", ["HEAD"], StatusAsync);
        group.MapPatch("/uploads/{uploadId}", AppendAsync)
            .WithSummary("Append bytes at Upload-Offset; bytes received before a dropped connection are kept.");
        group.MapPost("/uploads/{uploadId}/finish", FinishAsync)
            .WithSummary("Store the complete blob under its SHA-256 and say how many devices will fetch it.");
        group.MapGet("/{mediaId}", DownloadAsync)
            .WithSummary("Download a blob (HTTP range requests supported).");
        group.MapPost("/{mediaId}/fetched", FetchedAsync)
            .WithSummary("This device downloaded and verified the blob; once every recipient device did, it is deleted.");
    }

    private static async Task<IResult> CreateAsync(CreateUploadRequest request, ClaimsPrincipal user, MediaIndex index, IOptions<MediaOptions> options,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var max = request.Kind is null ? null : limits.MaxBlobBytes(request.Kind);
        if (max is null)
        {
            return ApiProblem.BadRequest(MediaErrorCodes.InvalidMediaKind, $"The kind must be one of {string.Join(", ", MediaKinds.All)}.");
        }
        if (request.Size <= 0)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "The size must be the blob's length in bytes (more than 0).");
        }
        if (request.Size > max)
        {
            return ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, MediaErrorCodes.MediaTooLarge,
                $"A {request.Kind} may be at most {Megabytes(max.Value - MediaOptions.BlobOverhead)} on this server; this one is {Megabytes(request.Size)}.",
                new Dictionary<string, object?> { ["maxBytes"] = max.Value - MediaOptions.BlobOverhead });
        }
        var account = user.Device().AccountId;
        var used = await index.UsedBytesAsync(account, cancellationToken);
        if (used + request.Size > limits.QuotaBytesPerAccount)
        {
            return ApiProblem.Create(StatusCodes.Status403Forbidden, MediaErrorCodes.QuotaExceeded,
                $"This account already stores {Megabytes(used)} of media, and may store {Megabytes(limits.QuotaBytesPerAccount)}; "
                + "older files are deleted once your contacts fetched them or after the blob lifetime.");
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var upload = new MediaUpload(MediaIds.NewUploadId(), account, request.Kind!, request.Size, now + limits.UploadLifetimeSeconds * 1000L);
        await index.CreateUploadAsync(upload, now, cancellationToken);
        return Results.Created($"/v1/media/uploads/{upload.Id}", Status(upload, 0));
    }

    private static async Task<IResult> StatusAsync(string uploadId, HttpContext http, MediaIndex index, IMediaStore store, CancellationToken cancellationToken)
    {
        if (await FindOwnUploadAsync(uploadId, http.User, index, cancellationToken) is not { } upload)
        {
            return UnknownUpload();
        }
        // A sender asks after its connection broke: let the request that was writing finish first, so
        // the answer counts every byte that arrived (bounded, in case that request hangs on a dead peer).
        var writer = Writers.GetOrAdd(upload.Id, _ => new SemaphoreSlim(1, 1));
        var entered = await writer.WaitAsync(StatusWait, cancellationToken);
        long offset;
        try
        {
            offset = await store.GetUploadLengthAsync(upload.Id, cancellationToken);
        }
        finally
        {
            if (entered)
            {
                writer.Release();
            }
        }
        http.Response.Headers[MediaHeaders.UploadOffset] = offset.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok(Status(upload, offset));
    }

    private static async Task<IResult> AppendAsync(string uploadId, HttpContext http, MediaIndex index, IMediaStore store, ILogger<MediaIndex> log)
    {
        var cancellationToken = http.RequestAborted;
        if (await FindOwnUploadAsync(uploadId, http.User, index, cancellationToken) is not { } upload)
        {
            return UnknownUpload();
        }
        if (!long.TryParse(http.Request.Headers[MediaHeaders.UploadOffset], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, $"Send the {MediaHeaders.UploadOffset} header: the byte position this chunk starts at.");
        }
        var writer = Writers.GetOrAdd(upload.Id, _ => new SemaphoreSlim(1, 1));
        await writer.WaitAsync(cancellationToken);
        try
        {
            var current = await store.GetUploadLengthAsync(upload.Id, cancellationToken);
            if (offset != current)
            {
                http.Response.Headers[MediaHeaders.UploadOffset] = current.ToString(CultureInfo.InvariantCulture);
                return ApiProblem.Create(StatusCodes.Status409Conflict, MediaErrorCodes.OffsetMismatch,
                    $"The server holds {current} bytes of this upload; send from there.", new Dictionary<string, object?> { ["offset"] = current });
            }
            var remaining = upload.Size - current;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                // Bodies longer than what is left of the declared size are cut off by Kestrel with 413.
                limit.MaxRequestBodySize = Math.Max(1, remaining);
            }
            if (http.Request.ContentLength > remaining)
            {
                return ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, MediaErrorCodes.MediaTooLarge,
                    $"Only {remaining} bytes are left of the {upload.Size} declared for this upload.");
            }
            long length;
            try
            {
                length = await store.AppendAsync(upload.Id, http.Request.Body, remaining, cancellationToken);
            }
            catch (Exception error) when (error is IOException or OperationCanceledException)
            {
                // The sender went away mid-chunk; what arrived is kept and its next attempt resumes behind it.
                log.LogInformation("Upload {UploadId} interrupted at {Offset} of {Size} bytes", upload.Id,
                    await store.GetUploadLengthAsync(upload.Id, CancellationToken.None), upload.Size);
                return Results.Empty;
            }
            http.Response.Headers[MediaHeaders.UploadOffset] = length.ToString(CultureInfo.InvariantCulture);
            return Results.NoContent();
        }
        finally
        {
            writer.Release();
        }
    }

    private static async Task<IResult> FinishAsync(string uploadId, FinishUploadRequest request, ClaimsPrincipal user, MediaIndex index, IMediaStore store,
        IOptions<MediaOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindOwnUploadAsync(uploadId, user, index, cancellationToken) is not { } upload)
        {
            return UnknownUpload();
        }
        if (request.Recipients is < 1 or > 100_000)
        {
            return ApiProblem.BadRequest(ErrorCodes.InvalidRequest, "Recipients is the number of devices that will fetch the blob (1 or more).");
        }
        var writer = Writers.GetOrAdd(upload.Id, _ => new SemaphoreSlim(1, 1));
        await writer.WaitAsync(cancellationToken);
        try
        {
            var length = await store.GetUploadLengthAsync(upload.Id, cancellationToken);
            if (length != upload.Size)
            {
                return ApiProblem.Create(StatusCodes.Status409Conflict, MediaErrorCodes.UploadIncomplete,
                    $"The server holds {length} of the {upload.Size} bytes declared; send the rest first.", new Dictionary<string, object?> { ["offset"] = length });
            }
            var mediaId = await store.CommitAsync(upload.Id, cancellationToken);
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var blob = await index.AddBlobAsync(mediaId, upload, request.Recipients, now, now + options.Value.BlobLifetimeSeconds * 1000L, cancellationToken);
            return Results.Ok(new MediaBlobResponse(blob.Id, blob.Size, blob.ExpiresAt));
        }
        finally
        {
            writer.Release();
            Writers.TryRemove(upload.Id, out _);
        }
    }

    private static async Task<IResult> DownloadAsync(string mediaId, MediaIndex index, IMediaStore store, CancellationToken cancellationToken)
    {
        if (!MediaIds.IsMediaId(mediaId) || await index.FindBlobAsync(mediaId, cancellationToken) is null
            || await store.OpenBlobAsync(mediaId, cancellationToken) is not { } blob)
        {
            return MediaNotFound();
        }
        return Results.Stream(blob, "application/octet-stream", enableRangeProcessing: true);
    }

    private static async Task<IResult> FetchedAsync(string mediaId, ClaimsPrincipal user, MediaIndex index, IMediaStore store, CancellationToken cancellationToken)
    {
        if (!MediaIds.IsMediaId(mediaId) || await index.FindBlobAsync(mediaId, cancellationToken) is null)
        {
            return MediaNotFound();
        }
        var device = user.Device();
        if (await index.RecordFetchAsync(mediaId, device.AccountId, device.DeviceId, cancellationToken))
        {
            await index.DeleteBlobAsync(mediaId, cancellationToken);
            await store.DeleteBlobAsync(mediaId, cancellationToken);
        }
        return Results.NoContent();
    }

    private static async Task<MediaUpload?> FindOwnUploadAsync(string uploadId, ClaimsPrincipal user, MediaIndex index, CancellationToken cancellationToken) =>
        MediaIds.IsUploadId(uploadId) && await index.FindUploadAsync(uploadId, cancellationToken) is { } upload && upload.AccountId == user.Device().AccountId
            ? upload
            : null;

    private static UploadStatusResponse Status(MediaUpload upload, long offset) => new(upload.Id, upload.Kind, upload.Size, offset, upload.ExpiresAt);

    private static IResult UnknownUpload() => ApiProblem.NotFound(MediaErrorCodes.UnknownUpload,
        "No such upload for this account (finished, abandoned, or never started); start a new one.");

    private static IResult MediaNotFound() => ApiProblem.NotFound(MediaErrorCodes.MediaNotFound,
        "No such media: every recipient already fetched it, or it expired. Ask the sender to send it again.");

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture) + " MB";
}
