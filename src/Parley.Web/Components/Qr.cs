using QRCoder;

namespace Parley.Web.Components;

/// <summary>QR codes drawn in the browser (no server round trip): a PNG data URL for an &lt;img&gt;.</summary>
public static class Qr
{
    public static string DataUrl(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
