using Parley.Protocol.Wire;

namespace Parley.Server.Messages;

/// <summary>Builders for the server frames that several features send.</summary>
public static class Frames
{
    public static ServerFrame Error(ErrorCode code, string message) =>
        new() { Error = new Error { Code = code, Message = message } };
}
