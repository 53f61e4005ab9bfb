using System.Net.Sockets;
using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Client.Transport;
using Parley.Protocol.Rest;

namespace Parley.Cli;

/// <summary>Turns failures into one sentence a user can act on. Unknown exceptions are not caught: they are bugs.</summary>
internal static class CliErrors
{
    public static string? Describe(Exception error, DirectoryInfo profile, Uri? server) => error switch
    {
        CliException cli => cli.Message,
        UnknownNumberException unknown => $"{unknown.Number} is not registered on this Parley server.",
        NotRegisteredException => $"the profile {profile.FullName} has no account yet; run: parley --profile {profile.FullName} register <+E164> --server <url>",
        ParleyApiException { Code: ErrorCodes.IncorrectCode } wrong =>
            $"wrong verification code{(wrong.RemainingAttempts is { } left ? $" ({left} attempts left)" : "")}.",
        ParleyApiException { Code: ErrorCodes.IncorrectPin } pin =>
            $"wrong PIN{(pin.RemainingAttempts is { } left ? $" ({left} attempts left)" : "")}{(pin.RetryAfterSeconds is > 0 and var wait ? $"; wait {wait} s before the next try" : "")}.",
        ParleyApiException { Code: ErrorCodes.TooManyAttempts or ErrorCodes.RegistrationLocked } throttled =>
            $"{throttled.Message}{(throttled.RetryAfterSeconds is > 0 and var wait ? $" Try again in {wait} s." : "")}",
        ParleyApiException { Code: ErrorCodes.InvalidNumber } => "the number must be in E.164 form, e.g. +4915112345678.",
        ParleyApiException { Code: DeviceErrorCodes.InvalidLinkCode } => "no such link code; check it, or create a new one on the primary (parley devices --new-code).",
        ParleyApiException { Code: DeviceErrorCodes.LinkCodeExpired or DeviceErrorCodes.LinkCodeUsed or DeviceErrorCodes.TooManyDevices or DeviceErrorCodes.NotPrimary } device =>
            device.Message,
        ParleyApiException api => $"the server refused: {api.Message} ({api.Code})",
        HttpRequestException http => $"cannot reach the Parley server at {server?.ToString() ?? "(unknown)"}: {Reason(http)}",
        TaskCanceledException when server is not null => $"the Parley server at {server} did not answer in time.",
        LoggedOutException => "this device was logged out by the server (unlinked on the primary, or the number was registered again elsewhere); link or register this profile again.",
        SendFailedException send => send.Message,
        Client.Devices.LinkFailedException link => link.Message,
        UntrustedDeviceException untrusted => untrusted.Message,
        GroupNotFoundException notFound => notFound.Message,
        NotAGroupMemberException notMember => notMember.Message,
        ArgumentException { ParamName: "replyTo" } => "--reply-to: this chat's recent history has no message with that id.",
        ArgumentException { ParamName: "image" } image when image.Message.StartsWith("A group", StringComparison.Ordinal) =>
            "--set: a group photo must be a JPEG, PNG or WebP image.",
        ArgumentException { ParamName: "image" } => "--photo: a profile photo must be a JPEG, PNG or WebP image.",
        _ => null,
    };

    private static string Reason(HttpRequestException error) =>
        error.InnerException is SocketException socket ? socket.Message : error.Message;
}
