namespace Parley.Server.Registration;

/// <summary>A phone number being verified. Times are Unix milliseconds.</summary>
public sealed record RegistrationSession(
    string Id,
    string Number,
    byte[] CodeHash,
    long CodeExpiresAt,
    int Attempts,
    int CodesSent,
    long? VerifiedAt,
    long CreatedAt)
{
    public bool Verified => VerifiedAt is not null;
}
