using Parley.Protocol.Wire;

namespace Parley.Client.Transport;

/// <summary>
/// The server answered a request with an error frame: e.g. MISMATCHED_DEVICES (see
/// <see cref="Error.MissingDevices"/> / <see cref="Error.ExtraDevices"/>), STALE_DEVICES, UNKNOWN_ACCOUNT.
/// </summary>
public sealed class SendRejectedException(Error error) : Exception($"{error.Code}: {error.Message}")
{
    public Error Error { get; } = error;

    public ErrorCode Code => Error.Code;
}

/// <summary>The server refused this device's credentials; it has to register or link again.</summary>
public sealed class LoggedOutException() : Exception("This device was logged out by the server; register or link it again.");
