using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Parley.Client.Api;
using Parley.Client.Media;
using Parley.Crypto.Media;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Media;

/// <summary>The media store over real HTTP: resumable uploads, ranged downloads, limits and garbage collection.</summary>
public abstract class MediaStoreTests(MediaServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    private static async Task<(byte[] Blob, EncryptedMedia Media)> EncryptedAsync(int plaintextBytes, MediaType type = MediaType.Image) =>
        await MediaCipher.EncryptAsync(RandomNumberGenerator.GetBytes(plaintextBytes), type);

    private string BlobPath(string mediaId) => Path.Combine(Server.DataDirectory, "media", "blobs", mediaId[..2], mediaId);

    [Fact]
    public async Task Upload_cut_off_mid_stream_resumes_where_the_server_stopped_and_the_blob_arrives_whole()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        var (blob, media) = await EncryptedAsync(6 * 1024 * 1024);
        await using var proxy = new CuttingProxy(Server.BaseAddress, cutAfterBytes: 2 * 1024 * 1024);
        var transfer = new MediaTransfer(new ParleyApi(new HttpClient { BaseAddress = proxy.BaseAddress }), alice.Credentials);
        var resumedAt = new List<long>();
        transfer.Resumed += offset => resumedAt.Add(offset);

        var stored = await transfer.UploadAsync(new MemoryStream(blob), MediaType.Image, recipients: 1);

        Assert.Equal(1, proxy.Cuts);
        var resumed = Assert.Single(resumedAt);
        Assert.True(resumed is > 0 and <= 2 * 1024 * 1024, $"resumed at {resumed}; server said:\n{Server.Process.Output}");
        // Only what the server had not kept crossed the network again (plus headers), not the whole file.
        Assert.True(proxy.UpstreamBytes.Sum() < blob.Length + 2 * 1024 * 1024 - resumed + 64 * 1024,
            $"sent {proxy.UpstreamBytes.Sum()} bytes for a {blob.Length}-byte blob resumed at {resumed}");
        Assert.Equal(Convert.ToHexStringLower(media.BlobSha256), stored.MediaId);
        Assert.Equal(blob, await File.ReadAllBytesAsync(BlobPath(stored.MediaId)));
    }

    [Fact]
    public async Task Download_supports_range_requests_so_a_broken_download_continues()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        var (blob, _) = await EncryptedAsync(300_000);
        var stored = await new MediaTransfer(alice.Api, alice.Credentials).UploadAsync(new MemoryStream(blob), MediaType.Document, recipients: 1);

        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/media/{stored.MediaId}");
        request.Headers.Authorization = alice.Credentials.ToAuthorizationHeader();
        request.Headers.Range = new RangeHeaderValue(100_000, 100_099);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(blob[100_000..100_100], await response.Content.ReadAsByteArrayAsync());

        using var anonymous = await http.GetAsync($"v1/media/{stored.MediaId}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Over_limit_uploads_are_refused_before_any_byte_is_sent()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        var tooLarge = await Assert.ThrowsAsync<ParleyApiException>(() =>
            alice.Api.CreateUploadAsync(alice.Credentials, MediaKinds.Video, MediaServerFixture.MaxVideoBytes + 1024));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, MediaErrorCodes.MediaTooLarge), (tooLarge.Status, tooLarge.Code));
        Assert.Contains("2 MB", tooLarge.Message, StringComparison.Ordinal);

        var wrongKind = await Assert.ThrowsAsync<ParleyApiException>(() => alice.Api.CreateUploadAsync(alice.Credentials, "executable", 10));
        Assert.Equal(MediaErrorCodes.InvalidMediaKind, wrongKind.Code);

        // Within the kind's limit but beyond the account's quota (uploads in progress count).
        await alice.Api.CreateUploadAsync(alice.Credentials, MediaKinds.Document, MediaServerFixture.QuotaBytes - 1024);
        var quota = await Assert.ThrowsAsync<ParleyApiException>(() => alice.Api.CreateUploadAsync(alice.Credentials, MediaKinds.Document, 4096));
        Assert.Equal((HttpStatusCode.Forbidden, MediaErrorCodes.QuotaExceeded), (quota.Status, quota.Code));

        // More bytes than declared: refused, and the upload keeps only what fits.
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        var upload = await bob.Api.CreateUploadAsync(bob.Credentials, MediaKinds.Image, 1000);
        var overflow = await Assert.ThrowsAsync<ParleyApiException>(() =>
            bob.Api.AppendUploadAsync(bob.Credentials, upload.UploadId, new MemoryStream(new byte[5000]), 0, 5000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overflow.Status);
        Assert.Equal(0, (await bob.Api.GetUploadAsync(bob.Credentials, upload.UploadId)).Offset);

        // A chunk at the wrong offset is refused with the offset to use; finishing early is refused too.
        await bob.Api.AppendUploadAsync(bob.Credentials, upload.UploadId, new MemoryStream(new byte[400]), 0, 400);
        var mismatch = await Assert.ThrowsAsync<ParleyApiException>(() =>
            bob.Api.AppendUploadAsync(bob.Credentials, upload.UploadId, new MemoryStream(new byte[1000]), 100, 100));
        Assert.Equal((HttpStatusCode.Conflict, MediaErrorCodes.OffsetMismatch), (mismatch.Status, mismatch.Code));
        var early = await Assert.ThrowsAsync<ParleyApiException>(() => bob.Api.FinishUploadAsync(bob.Credentials, upload.UploadId, 1));
        Assert.Equal(MediaErrorCodes.UploadIncomplete, early.Code);

        // Someone else's upload does not exist for Alice.
        var foreign = await Assert.ThrowsAsync<ParleyApiException>(() => alice.Api.GetUploadAsync(alice.Credentials, upload.UploadId));
        Assert.Equal(MediaErrorCodes.UnknownUpload, foreign.Code);
    }

    [Fact]
    public async Task A_blob_is_deleted_once_every_recipient_device_confirmed_its_download()
    {
        await using var alice = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var bob = await TestUser.RegisterAsync(Server, preKeys: 0);
        await using var carol = await TestUser.RegisterAsync(Server, preKeys: 0);
        var (blob, _) = await EncryptedAsync(50_000);
        var stored = await new MediaTransfer(alice.Api, alice.Credentials).UploadAsync(new MemoryStream(blob), MediaType.Image, recipients: 2);
        Assert.True(File.Exists(BlobPath(stored.MediaId)));

        await bob.Api.ConfirmMediaFetchedAsync(bob.Credentials, stored.MediaId);
        await bob.Api.ConfirmMediaFetchedAsync(bob.Credentials, stored.MediaId); // the same device twice counts once
        var stillThere = new MemoryStream();
        await carol.Api.DownloadMediaAsync(carol.Credentials, stored.MediaId, 0, stillThere);
        Assert.Equal(blob, stillThere.ToArray());

        await carol.Api.ConfirmMediaFetchedAsync(carol.Credentials, stored.MediaId);
        Assert.False(File.Exists(BlobPath(stored.MediaId)), "the blob file should be gone once both recipients have it");
        var gone = await Assert.ThrowsAsync<ParleyApiException>(() => alice.Api.DownloadMediaAsync(alice.Credentials, stored.MediaId, 0, new MemoryStream()));
        Assert.Equal((HttpStatusCode.NotFound, MediaErrorCodes.MediaNotFound), (gone.Status, gone.Code));
        Assert.Equal(0, await Server.ScalarAsync("SELECT COUNT(*) FROM media_blobs WHERE id = @id", ("id", stored.MediaId)));
    }
}

public sealed class MediaStoreTestsOnSqlite(SqliteMediaServerFixture fixture) : MediaStoreTests(fixture), IClassFixture<SqliteMediaServerFixture>;

public sealed class MediaStoreTestsOnPostgres(PostgresMediaServerFixture fixture) : MediaStoreTests(fixture), IClassFixture<PostgresMediaServerFixture>;

/// <summary>The 30-day rule, with a two-second lifetime: blobs nobody fetched are collected all the same.</summary>
public abstract class MediaExpiryTests(MediaServerFixture fixture)
{
    [Fact]
    public async Task A_blob_nobody_fetched_is_collected_when_its_lifetime_ends()
    {
        var server = fixture.Server;
        await using var alice = await TestUser.RegisterAsync(server, preKeys: 0);
        var (blob, _) = await MediaCipher.EncryptAsync(RandomNumberGenerator.GetBytes(10_000), MediaType.Audio);
        var stored = await new MediaTransfer(alice.Api, alice.Credentials).UploadAsync(new MemoryStream(blob), MediaType.Audio, recipients: 3);
        var path = Path.Combine(server.DataDirectory, "media", "blobs", stored.MediaId[..2], stored.MediaId);
        Assert.True(File.Exists(path));

        // The collector removes the file first and the row right after: wait for both.
        async Task<bool> CollectedAsync() =>
            !File.Exists(path) && await server.ScalarAsync("SELECT COUNT(*) FROM media_blobs WHERE id = @id", ("id", stored.MediaId)) == 0;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await CollectedAsync() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.False(File.Exists(path), "the expired blob should have been collected within 15 s (lifetime 2 s, collector every 1 s)");
        Assert.Equal(0, await server.ScalarAsync("SELECT COUNT(*) FROM media_blobs WHERE id = @id", ("id", stored.MediaId)));
        var gone = await Assert.ThrowsAsync<ParleyApiException>(() => alice.Api.DownloadMediaAsync(alice.Credentials, stored.MediaId, 0, new MemoryStream()));
        Assert.Equal(MediaErrorCodes.MediaNotFound, gone.Code);
    }
}

public sealed class MediaExpiryTestsOnSqlite(ShortLivedMediaServerFixture fixture) : MediaExpiryTests(fixture), IClassFixture<ShortLivedMediaServerFixture>;

public sealed class MediaExpiryTestsOnPostgres(ShortLivedPostgresMediaServerFixture fixture) : MediaExpiryTests(fixture), IClassFixture<ShortLivedPostgresMediaServerFixture>;
