using Microsoft.Extensions.Options;

namespace Parley.Server.Media;

/// <summary>Deletes blobs past their lifetime (whether or not everyone fetched them) and abandoned uploads.</summary>
public sealed class MediaCollector(MediaIndex index, IMediaStore store, IOptions<MediaOptions> options, TimeProvider clock,
    ILogger<MediaCollector> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.CollectIntervalSeconds)), clock);
        do
        {
            try
            {
                await CollectAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                log.LogWarning(error, "Media collection failed; will retry");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task CollectAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var blobs = await index.ExpiredBlobsAsync(now, cancellationToken);
        foreach (var mediaId in blobs)
        {
            // File first: a row without a file answers "not found" just as well; a file without a row would leak.
            await store.DeleteBlobAsync(mediaId, cancellationToken);
            await index.DeleteBlobAsync(mediaId, cancellationToken);
        }
        var uploads = await index.ExpiredUploadsAsync(now, cancellationToken);
        foreach (var uploadId in uploads)
        {
            await store.DeleteUploadAsync(uploadId, cancellationToken);
            await index.DeleteUploadAsync(uploadId, cancellationToken);
        }
        if (blobs.Count + uploads.Count > 0)
        {
            log.LogInformation("Collected {Blobs} expired blobs and {Uploads} abandoned uploads", blobs.Count, uploads.Count);
        }
    }
}
