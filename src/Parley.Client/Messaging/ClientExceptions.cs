namespace Parley.Client.Messaging;

/// <summary>No Parley account has this number (the server answered unknown_account).</summary>
public sealed class UnknownNumberException(string number)
    : Exception($"{number} is not registered on this Parley server.")
{
    public string Number { get; } = number;
}

/// <summary>The local store holds no account: register first.</summary>
public sealed class NotRegisteredException()
    : Exception("This profile has no Parley account yet; register it first.");

/// <summary>A send still failed after refreshing the recipient's device list <see cref="ClientOptions.MaxSendAttempts"/> times.</summary>
public sealed class SendFailedException(string message, Exception? inner = null) : Exception(message, inner);
