using Google.Protobuf;

namespace Parley.Crypto;

/// <summary>Turns protobuf parse failures into the library's one exception type.</summary>
internal static class ProtoParsing
{
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> bytes, SignalError error)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SignalProtocolException(error, "malformed protobuf: " + e.Message, e);
        }
    }
}
