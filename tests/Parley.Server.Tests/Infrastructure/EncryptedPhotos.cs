using System.Text;
using Parley.Crypto.Media;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>Profile photos as clients upload them: a JPEG-looking body encrypted under a fresh profile key.</summary>
public static class EncryptedPhotos
{
    public static Task<byte[]> CreateAsync(string what) =>
        PhotoCipher.EncryptAsync([0xFF, 0xD8, 0xFF, 0xE0, .. Encoding.UTF8.GetBytes($"{what} {Guid.NewGuid():N}")], PhotoCipher.NewKey(), PhotoKind.Profile);
}
