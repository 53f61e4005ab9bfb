using System.Net;

namespace Parley.Client.Api;

/// <summary>
/// The server refused a REST call. <see cref="Code"/> is the stable machine-readable reason
/// (see Parley.Protocol.Rest.ErrorCodes), <see cref="Message"/> the server's explanation.
/// </summary>
public sealed class ParleyApiException(HttpStatusCode status, string code, string message, int? retryAfterSeconds = null, int? remainingAttempts = null)
    : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public string Code { get; } = code;

    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public int? RemainingAttempts { get; } = remainingAttempts;
}
