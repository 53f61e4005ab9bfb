using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Parley.Protocol.Rest;

namespace Parley.Client.Api;

/// <summary>The media store: resumable uploads of encrypted blobs and ranged downloads (see MediaEndpoints on the server).</summary>
public sealed partial class ParleyApi
{
    public Task<UploadStatusResponse> CreateUploadAsync(DeviceCredentials credentials, string kind, long size, CancellationToken cancellationToken = default) =>
        SendAsync<UploadStatusResponse>(HttpMethod.Post, "v1/media/uploads", new CreateUploadRequest(kind, size), credentials, cancellationToken);

    public Task<UploadStatusResponse> GetUploadAsync(DeviceCredentials credentials, string uploadId, CancellationToken cancellationToken = default) =>
        SendAsync<UploadStatusResponse>(HttpMethod.Get, $"v1/media/uploads/{Uri.EscapeDataString(uploadId)}", null, credentials, cancellationToken);

    /// <summary>Sends <paramref name="count"/> bytes of <paramref name="blob"/> starting at <paramref name="offset"/>; returns the server's new offset.</summary>
    /// <exception cref="ParleyApiException">upload_offset_mismatch when the server holds a different number of bytes (ask it, go on from there).</exception>
    public async Task<long> AppendUploadAsync(DeviceCredentials credentials, string uploadId, Stream blob, long offset, long count,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"v1/media/uploads/{Uri.EscapeDataString(uploadId)}")
        {
            Content = new BlobSliceContent(blob, offset, count, progress),
        };
        request.Headers.Authorization = credentials.ToAuthorizationHeader();
        request.Headers.Add(MediaHeaders.UploadOffset, offset.ToString(CultureInfo.InvariantCulture));
        // 100-continue: a refusal (wrong offset, too large) arrives before the body is sent, not after.
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
        return response.Headers.TryGetValues(MediaHeaders.UploadOffset, out var values)
            && long.TryParse(values.First(), NumberStyles.None, CultureInfo.InvariantCulture, out var next) ? next : offset + count;
    }

    public Task<MediaBlobResponse> FinishUploadAsync(DeviceCredentials credentials, string uploadId, int recipients, CancellationToken cancellationToken = default) =>
        SendAsync<MediaBlobResponse>(HttpMethod.Post, $"v1/media/uploads/{Uri.EscapeDataString(uploadId)}/finish", new FinishUploadRequest(recipients),
            credentials, cancellationToken);

    /// <summary>Appends the blob's bytes from <paramref name="offset"/> on (a range request) to <paramref name="destination"/>.</summary>
    /// <exception cref="ParleyApiException">media_not_found when every recipient already fetched it or it expired.</exception>
    public async Task DownloadMediaAsync(DeviceCredentials credentials, string mediaId, long offset, Stream destination,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(destination);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/media/{Uri.EscapeDataString(mediaId)}");
        request.Headers.Authorization = credentials.ToAuthorizationHeader();
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
        if (offset > 0 && response.StatusCode != HttpStatusCode.PartialContent)
        {
            throw new ParleyApiException(response.StatusCode, "range_not_supported", "The server sent the whole blob instead of the rest of it.");
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[81920];
        var total = offset;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
            progress?.Report(total);
        }
    }

    /// <summary>Tells the server this device has the blob (it deletes it once every recipient device said so).</summary>
    public Task ConfirmMediaFetchedAsync(DeviceCredentials credentials, string mediaId, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"v1/media/{Uri.EscapeDataString(mediaId)}/fetched", null, credentials, cancellationToken);

    /// <summary>A window of a seekable blob as a request body, streamed (never buffered whole), reporting bytes sent.</summary>
    private sealed class BlobSliceContent(Stream blob, long offset, long count, IProgress<long>? progress) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            blob.Position = offset;
            var buffer = new byte[81920];
            var left = count;
            while (left > 0)
            {
                var read = await blob.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException("The blob is shorter than the upload declared.");
                }
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
                progress?.Report(offset + count - left);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = count;
            return true;
        }
    }
}
