namespace Parley.Server.Registration;

/// <summary>Delivers a verification code to a phone number. Throws when the code could not be handed over.</summary>
public interface ISmsSender
{
    Task SendCodeAsync(string number, string code, CancellationToken cancellationToken);
}
