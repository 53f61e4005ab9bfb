using Parley.Client.Messaging;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Tests.Messaging;

public sealed class ContentPaddingTests
{
    [Fact]
    public void ShortAndLongerTexts_InTheSameBucket_PadToTheSameLength_AndRoundTrip()
    {
        var hi = Text("hi");
        var longer = Text(new string('x', 120));
        Assert.Equal(ContentPadding.BlockSize, ContentPadding.Pad(hi).Length);
        Assert.Equal(ContentPadding.Pad(hi).Length, ContentPadding.Pad(longer).Length);
        Assert.Equal(2 * ContentPadding.BlockSize, ContentPadding.Pad(Text(new string('x', 200))).Length);
        Assert.Equal(longer, ContentPadding.Unpad(ContentPadding.Pad(longer)));
    }

    [Fact]
    public void ContentOfExactlyABlock_GetsAWholeExtraBlock_SoTheMarkerAlwaysFits()
    {
        var content = Text("");
        // Length prefixes are varints, so find the text length that makes the message exactly one block.
        for (var length = ContentPadding.BlockSize; content.CalculateSize() != ContentPadding.BlockSize && length > 0; length--)
        {
            content.Data.Text = new string('y', length);
        }
        Assert.Equal(ContentPadding.BlockSize, content.CalculateSize());
        Assert.Equal(2 * ContentPadding.BlockSize, ContentPadding.Pad(content).Length);
        Assert.Equal(content, ContentPadding.Unpad(ContentPadding.Pad(content)));
    }

    [Fact]
    public void PlaintextWithoutTheMarker_IsRejected()
    {
        Assert.Throws<InvalidDataException>(() => ContentPadding.Unpad(new byte[160]));
        Assert.Throws<InvalidDataException>(() => ContentPadding.Unpad([0x0a, 0x05, 0x80]));
    }

    private static Content Text(string text) => new() { SenderNumber = "+15550001111", Data = new DataMessage { Text = text, Timestamp = 1_700_000_000_000 } };
}
