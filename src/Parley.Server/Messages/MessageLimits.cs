namespace Parley.Server.Messages;

/// <summary>Size limits of the messaging path, each with the trade-off it makes.</summary>
public static class MessageLimits
{
    /// <summary>
    /// Largest ciphertext per device. Texts are small and media travels as blobs, so 64 KiB leaves
    /// room for long messages and inline thumbnails while bounding what one frame can make us store.
    /// </summary>
    public const int MaxCiphertextBytes = 64 * 1024;

    /// <summary>Largest WebSocket frame: a message encrypted for every device (plus protobuf overhead).</summary>
    public const int MaxFrameBytes = 1024 * 1024;

    /// <summary>Most devices one message can address (primary + linked devices, with headroom).</summary>
    public const int MaxDevicesPerMessage = 16;

    /// <summary>Most message ids in one receipt or ack frame.</summary>
    public const int MaxIdsPerFrame = 1000;

    /// <summary>Sends a connection may have waiting for their commit before it stops reading frames.</summary>
    public const int MaxInFlightPerConnection = 256;
}
