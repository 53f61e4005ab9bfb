using Google.Protobuf;
using Parley.Protocol.Wire;
using Parley.Server.Messages;

namespace Parley.Server.Connections;

/// <summary>Handling of the frames a client sends.</summary>
public sealed partial class DeviceConnection
{
    /// <summary>
    /// Requests of this connection still being processed, at most MaxInFlightPerConnection. Made on the
    /// first request (by the read loop, before anything can release it): an idle device has none.
    /// </summary>
    private SemaphoreSlim InFlight => _inFlight ??= new SemaphoreSlim(MessageLimits.MaxInFlightPerConnection);

    private async Task HandleFrameAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        ClientFrame frame;
        try
        {
            frame = ClientFrame.Parser.ParseFrom(bytes.AsSpan()); // from a span: no CodedInputStream per frame
        }
        catch (InvalidProtocolBufferException)
        {
            Send(Frames.Error(ErrorCode.MalformedFrame, "The frame is not a valid ClientFrame protobuf."));
            return;
        }
        var requestId = frame.RequestId;
        switch (frame.BodyCase)
        {
            case ClientFrame.BodyOneofCase.Send:
                if (!TryTakeSendToken(requestId))
                {
                    return;
                }
                await InFlight.WaitAsync(cancellationToken);
                Task<ServerFrame> sending;
                try
                {
                    sending = await _services.Sender.SendAsync(Device, frame.Send, cancellationToken);
                }
                catch
                {
                    InFlight.Release();
                    throw;
                }
                _ = ReplyWhenDoneAsync(requestId, sending);
                break;
            case ClientFrame.BodyOneofCase.SendGroup:
                if (!TryTakeSendToken(requestId))
                {
                    return;
                }
                await InFlight.WaitAsync(cancellationToken);
                _ = ReplyWhenDoneAsync(requestId, _services.GroupSender.SendAsync(Device, frame.SendGroup));
                break;
            case ClientFrame.BodyOneofCase.Ack:
                if (frame.Ack.EnvelopeIds.Count > MessageLimits.MaxIdsPerFrame)
                {
                    Reply(requestId, Frames.Error(ErrorCode.MalformedFrame, $"Ack at most {MessageLimits.MaxIdsPerFrame} envelopes per frame."));
                    return;
                }
                await InFlight.WaitAsync(cancellationToken);
                _ = ReplyWhenDoneAsync(requestId, AcknowledgeAsync(frame.Ack));
                break;
            case ClientFrame.BodyOneofCase.ReadReceipt:
                await InFlight.WaitAsync(cancellationToken);
                _ = ReplyWhenDoneAsync(requestId, _services.Receipts.SendReadReceiptAsync(Device, frame.ReadReceipt, cancellationToken));
                break;
            case ClientFrame.BodyOneofCase.SubscribePresence:
                Reply(requestId, await SubscribePresenceAsync(frame.SubscribePresence));
                break;
            case ClientFrame.BodyOneofCase.Typing:
                if (!(_typingThrottle ??= new Presence.TypingThrottle(_services.Clock)).Allow(frame.Typing))
                {
                    return; // dropped on purpose: the previous indicator is still showing
                }
                if (await _services.Typing.RelayAsync(Device, frame.Typing, cancellationToken) is { } refused)
                {
                    Reply(requestId, refused);
                }
                break;
            case ClientFrame.BodyOneofCase.Ping:
                Reply(requestId, new ServerFrame
                {
                    Pong = new Pong { ClientTime = frame.Ping.ClientTime, ServerTime = _services.Clock.GetUtcNow().ToUnixTimeMilliseconds() },
                });
                break;
            default:
                Reply(requestId, Frames.Error(ErrorCode.MalformedFrame, "The frame has no body this server understands."));
                break;
        }
    }

    /// <summary>Applies the per-connection message rate limit, answering RATE_LIMITED when it bites.</summary>
    private bool TryTakeSendToken(ulong requestId)
    {
        if (_sendTokens.TryTake(_services.Clock, Math.Max(1, _services.Limits.MessagesPerConnectionPerSecond)))
        {
            return true;
        }
        var limited = Frames.Error(ErrorCode.RateLimited, "Too many messages; slow down.");
        limited.Error.RetryAfterMs = 1000;
        Reply(requestId, limited);
        return false;
    }

    private async Task<ServerFrame> AcknowledgeAsync(AckEnvelopes ack)
    {
        var ids = new List<long>(ack.EnvelopeIds.Count);
        foreach (var id in ack.EnvelopeIds)
        {
            if (id <= long.MaxValue)
            {
                ids.Add((long)id);
            }
        }
        var acked = await _services.Receipts.AcknowledgeAsync(Device, ids);
        return new ServerFrame { AckResult = new AckResult { Acked = (uint)acked } };
    }

    /// <summary>Answers a pipelined request once its work (usually a group commit) is done.</summary>
    private async Task ReplyWhenDoneAsync(ulong requestId, Task<ServerFrame> work)
    {
        try
        {
            Reply(requestId, await work);
        }
        catch (OperationCanceledException)
        {
            // The connection closed while the request was in flight; the client will retry.
        }
        catch (Exception error)
        {
            LogRequestFailed(_services.Log, error, Device.ToString());
            Reply(requestId, Frames.Error(ErrorCode.Internal, "The server failed to process this request; nothing was stored."));
        }
        finally
        {
            InFlight.Release();
        }
    }

    /// <summary>
    /// Answers a request. Request id 0 means the client wants no answer (websocket.proto): only an
    /// error is still sent, as it says something the client could not learn otherwise. The SDK's
    /// acks ask for none, which saves a frame per ack.
    /// </summary>
    private void Reply(ulong requestId, ServerFrame frame)
    {
        if (requestId == 0 && frame.BodyCase != ServerFrame.BodyOneofCase.Error)
        {
            return;
        }
        frame.RequestId = requestId;
        Send(frame);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request on connection of device {Device} failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception error, string device);
}
