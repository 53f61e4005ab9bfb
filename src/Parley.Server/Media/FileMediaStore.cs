using System.Security.Cryptography;

namespace Parley.Server.Media;

/// <summary>
/// Blobs on the local disk: uploads/&lt;upload id&gt; while they arrive, blobs/&lt;2 hex&gt;/&lt;sha256&gt;
/// once finished. The files hold only ciphertext the server has no key for.
/// </summary>
public sealed class FileMediaStore : IMediaStore
{
    private const int BufferSize = 128 * 1024;
    private readonly string _uploads;
    private readonly string _blobs;

    public FileMediaStore(string directory)
    {
        _uploads = Directory.CreateDirectory(Path.Combine(directory, "uploads")).FullName;
        _blobs = Directory.CreateDirectory(Path.Combine(directory, "blobs")).FullName;
    }

    public Task<long> GetUploadLengthAsync(string uploadId, CancellationToken cancellationToken)
    {
        var file = new FileInfo(UploadPath(uploadId));
        return Task.FromResult(file.Exists ? file.Length : 0);
    }

    public async Task<long> AppendAsync(string uploadId, Stream data, long maxBytes, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(UploadPath(uploadId), FileMode.Append, FileAccess.Write, FileShare.Read, BufferSize, useAsync: true);
        var buffer = new byte[BufferSize];
        var remaining = maxBytes;
        try
        {
            while (remaining > 0)
            {
                var read = await data.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                // Never cancelled: bytes that reached us are written whole, so the offset stays exact.
                await file.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
                remaining -= read;
            }
        }
        finally
        {
            // Durable before the sender hears the new offset, and kept when the connection broke off.
            await file.FlushAsync(CancellationToken.None);
            file.Flush(flushToDisk: true);
        }
        return file.Length;
    }

    public async Task<string> CommitAsync(string uploadId, CancellationToken cancellationToken)
    {
        var upload = UploadPath(uploadId);
        string mediaId;
        await using (var file = new FileStream(upload, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true))
        {
            mediaId = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }
        var target = BlobPath(mediaId);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // The same ciphertext twice (a forwarded file) is one blob: the later copy is simply dropped.
        File.Move(upload, target, overwrite: true);
        return mediaId;
    }

    public Task<Stream?> OpenBlobAsync(string mediaId, CancellationToken cancellationToken)
    {
        var path = BlobPath(mediaId);
        Stream? stream = File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true)
            : null;
        return Task.FromResult(stream);
    }

    public Task DeleteBlobAsync(string mediaId, CancellationToken cancellationToken)
    {
        File.Delete(BlobPath(mediaId));
        return Task.CompletedTask;
    }

    public Task DeleteUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        File.Delete(UploadPath(uploadId));
        return Task.CompletedTask;
    }

    private string UploadPath(string uploadId) => MediaIds.IsUploadId(uploadId)
        ? Path.Combine(_uploads, uploadId)
        : throw new ArgumentException("not an upload id", nameof(uploadId));

    private string BlobPath(string mediaId) => MediaIds.IsMediaId(mediaId)
        ? Path.Combine(_blobs, mediaId[..2], mediaId)
        : throw new ArgumentException("not a media id", nameof(mediaId));
}
