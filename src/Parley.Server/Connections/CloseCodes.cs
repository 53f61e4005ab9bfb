using System.Net.WebSockets;

namespace Parley.Server.Connections;

/// <summary>WebSocket close codes the server uses; the README documents them for client authors.</summary>
public static class CloseCodes
{
    /// <summary>1003: a text frame arrived; Parley frames are binary protobuf.</summary>
    public const WebSocketCloseStatus TextFrame = WebSocketCloseStatus.InvalidMessageType;

    /// <summary>1009: a frame larger than <see cref="Messages.MessageLimits.MaxFrameBytes"/>.</summary>
    public const WebSocketCloseStatus FrameTooLarge = WebSocketCloseStatus.MessageTooBig;

    /// <summary>1001: the server is shutting down; reconnect (to another node).</summary>
    public const WebSocketCloseStatus GoingAway = WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>4001: the same device connected again elsewhere; this connection is obsolete.</summary>
    public const WebSocketCloseStatus Replaced = (WebSocketCloseStatus)4001;

    /// <summary>4002: the device was removed or its account re-registered; its credentials are void.</summary>
    public const WebSocketCloseStatus LoggedOut = (WebSocketCloseStatus)4002;
}
