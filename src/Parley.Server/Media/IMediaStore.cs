namespace Parley.Server.Media;

/// <summary>
/// Where the bytes of encrypted blobs live: uploads in progress (appended to, resumable) and
/// finished blobs under their content address. The local disk by default; an S3-compatible store
/// would map uploads to multipart uploads. Ids are checked by the caller (<see cref="MediaIds"/>).
/// </summary>
public interface IMediaStore
{
    /// <summary>Bytes received so far for an upload (0 if none yet).</summary>
    Task<long> GetUploadLengthAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="data"/> (at most <paramref name="maxBytes"/>) to the upload. Bytes
    /// that arrived before the sender's connection dropped are kept: the exception propagates only
    /// after they are durably written, so the next attempt resumes behind them.
    /// </summary>
    Task<long> AppendAsync(string uploadId, Stream data, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Hashes the finished upload and moves it to its content address; returns that id (hex SHA-256).</summary>
    Task<string> CommitAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>A seekable stream of a blob, or null when it does not exist (any more).</summary>
    Task<Stream?> OpenBlobAsync(string mediaId, CancellationToken cancellationToken);

    Task DeleteBlobAsync(string mediaId, CancellationToken cancellationToken);

    Task DeleteUploadAsync(string uploadId, CancellationToken cancellationToken);
}
