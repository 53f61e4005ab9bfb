using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;

namespace Parley.Crypto.Media;

/// <summary>What encrypting a file produced: the secrets and digests the E2E message carries.</summary>
/// <param name="MediaKey">The fresh random 32-byte key; only the message's recipients learn it.</param>
/// <param name="FileSha256">SHA-256 of the plaintext.</param>
/// <param name="BlobSha256">SHA-256 of the blob; also its content address on the server.</param>
public sealed record EncryptedMedia(byte[] MediaKey, byte[] FileSha256, byte[] BlobSha256, long PlaintextLength, long BlobLength);

/// <summary>
/// WhatsApp-style media encryption. blob = AES-256-CBC-PKCS7(plaintext) ‖ first 10 bytes of
/// HMAC-SHA256(iv ‖ ciphertext). Streams, so a 2 GB document never has to fit in memory; AES is
/// BouncyCastle's (the BCL's does not run in the browser), hashes are the BCL's (they do).
/// </summary>
public static class MediaCipher
{
    public const int MacLength = 10;
    private const int BufferSize = 64 * 1024;

    /// <summary>The blob length for a plaintext of <paramref name="plaintextLength"/> bytes (PKCS7 always pads, then the MAC).</summary>
    public static long BlobLength(long plaintextLength) => (plaintextLength / 16 + 1) * 16 + MacLength;

    /// <summary>Encrypts <paramref name="plaintext"/> (read to its end) into <paramref name="blob"/> under a fresh random media key.</summary>
    public static Task<EncryptedMedia> EncryptAsync(Stream plaintext, Stream blob, MediaType type, CancellationToken cancellationToken = default) =>
        EncryptAsync(plaintext, blob, type, RandomNumberGenerator.GetBytes(MediaKeys.MediaKeyLength), cancellationToken);

    /// <summary>Encrypts under a given key (known-answer tests); real callers let the cipher pick a fresh one.</summary>
    public static async Task<EncryptedMedia> EncryptAsync(Stream plaintext, Stream blob, MediaType type, byte[] mediaKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(blob);
        var keys = MediaKeys.Derive(mediaKey, type);
        var cipher = CreateCipher(forEncryption: true, keys);
        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, keys.MacKey);
        using var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var blobHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        mac.AppendData(keys.Iv);
        var input = new byte[BufferSize];
        var output = new byte[BufferSize + 32];
        long plaintextLength = 0, blobLength = 0;
        int read;
        while ((read = await plaintext.ReadAsync(input, cancellationToken)) > 0)
        {
            fileHash.AppendData(input, 0, read);
            plaintextLength += read;
            var written = cipher.ProcessBytes(input, 0, read, output, 0);
            blobLength += await WriteCiphertextAsync(blob, output, written, mac, blobHash, cancellationToken);
        }
        var last = cipher.DoFinal(output, 0);
        blobLength += await WriteCiphertextAsync(blob, output, last, mac, blobHash, cancellationToken);
        var tag = mac.GetHashAndReset()[..MacLength];
        blobHash.AppendData(tag);
        await blob.WriteAsync(tag, cancellationToken);
        blobLength += tag.Length;
        return new EncryptedMedia(mediaKey, fileHash.GetHashAndReset(), blobHash.GetHashAndReset(), plaintextLength, blobLength);
    }

    /// <summary>In-memory form for small files and the browser.</summary>
    public static async Task<(byte[] Blob, EncryptedMedia Media)> EncryptAsync(byte[] plaintext, MediaType type, CancellationToken cancellationToken = default)
    {
        using var input = new MemoryStream(plaintext, writable: false);
        using var output = new MemoryStream();
        var media = await EncryptAsync(input, output, type, cancellationToken);
        return (output.ToArray(), media);
    }

    /// <summary>
    /// Checks the blob's SHA-256 and MAC before decrypting anything (one pass over
    /// <paramref name="blob"/>, which must be seekable), then decrypts into <paramref name="plaintext"/>
    /// and checks the plaintext's SHA-256. On any mismatch nothing should be used: the caller
    /// discards what was written. A null <paramref name="fileSha256"/> skips the last check, for blobs
    /// whose message carries no plaintext digest (profile photos): the MAC alone authenticates them.
    /// </summary>
    /// <exception cref="SignalProtocolException">
    /// <see cref="SignalError.InvalidMessage"/> when the blob's digest or length is wrong or the
    /// plaintext's digest differs, <see cref="SignalError.InvalidMac"/> when the MAC does not verify.
    /// </exception>
    public static async Task DecryptAsync(Stream blob, Stream plaintext, MediaType type, byte[] mediaKey, byte[] blobSha256, byte[]? fileSha256,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(plaintext);
        var keys = MediaKeys.Derive(mediaKey, type);
        var ciphertextLength = blob.Length - MacLength;
        if (ciphertextLength <= 0 || ciphertextLength % 16 != 0)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, $"a media blob of {blob.Length} bytes cannot be ciphertext plus a {MacLength}-byte MAC");
        }

        blob.Position = 0;
        using (var blobHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, keys.MacKey))
        {
            mac.AppendData(keys.Iv);
            var buffer = new byte[BufferSize];
            long remaining = ciphertextLength;
            while (remaining > 0)
            {
                var read = await blob.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                {
                    throw new SignalProtocolException(SignalError.InvalidMessage, "the media blob ended early");
                }
                blobHash.AppendData(buffer, 0, read);
                mac.AppendData(buffer, 0, read);
                remaining -= read;
            }
            var tag = new byte[MacLength];
            await blob.ReadExactlyAsync(tag, cancellationToken);
            blobHash.AppendData(tag);
            if (!CryptographicOperations.FixedTimeEquals(blobHash.GetHashAndReset(), blobSha256))
            {
                throw new SignalProtocolException(SignalError.InvalidMessage, "the media blob's SHA-256 differs from the one in the message (altered or corrupted)");
            }
            if (!CryptographicOperations.FixedTimeEquals(mac.GetHashAndReset().AsSpan(0, MacLength), tag))
            {
                throw new SignalProtocolException(SignalError.InvalidMac, "the media blob's MAC does not verify (altered, or not made with this key)");
            }
        }

        blob.Position = 0;
        var cipher = CreateCipher(forEncryption: false, keys);
        using var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var input = new byte[BufferSize];
        var output = new byte[BufferSize + 32];
        long left = ciphertextLength;
        try
        {
            while (left > 0)
            {
                var read = await blob.ReadAsync(input.AsMemory(0, (int)Math.Min(input.Length, left)), cancellationToken);
                left -= read;
                var written = cipher.ProcessBytes(input, 0, read, output, 0);
                fileHash.AppendData(output, 0, written);
                await plaintext.WriteAsync(output.AsMemory(0, written), cancellationToken);
            }
            var last = cipher.DoFinal(output, 0);
            fileHash.AppendData(output, 0, last);
            await plaintext.WriteAsync(output.AsMemory(0, last), cancellationToken);
        }
        catch (InvalidCipherTextException error)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "the media blob has bad padding", error);
        }
        if (fileSha256 is not null && !CryptographicOperations.FixedTimeEquals(fileHash.GetHashAndReset(), fileSha256))
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "the decrypted file's SHA-256 differs from the one in the message");
        }
    }

    /// <summary>In-memory form for small files and the browser.</summary>
    public static async Task<byte[]> DecryptAsync(byte[] blob, MediaType type, byte[] mediaKey, byte[] blobSha256, byte[]? fileSha256,
        CancellationToken cancellationToken = default)
    {
        using var input = new MemoryStream(blob, writable: false);
        using var output = new MemoryStream();
        await DecryptAsync(input, output, type, mediaKey, blobSha256, fileSha256, cancellationToken);
        return output.ToArray();
    }

    private static async Task<int> WriteCiphertextAsync(Stream blob, byte[] buffer, int count, IncrementalHash mac, IncrementalHash blobHash,
        CancellationToken cancellationToken)
    {
        mac.AppendData(buffer, 0, count);
        blobHash.AppendData(buffer, 0, count);
        await blob.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        return count;
    }

    private static PaddedBufferedBlockCipher CreateCipher(bool forEncryption, MediaKeys keys)
    {
        var cipher = new PaddedBufferedBlockCipher(new CbcBlockCipher(AesUtilities.CreateEngine()), new Pkcs7Padding());
        cipher.Init(forEncryption, new ParametersWithIV(new KeyParameter(keys.CipherKey), keys.Iv));
        return cipher;
    }
}
