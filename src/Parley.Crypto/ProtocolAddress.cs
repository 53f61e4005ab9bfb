namespace Parley.Crypto;

/// <summary>One device of one account: the unit that owns sessions and sender keys.</summary>
/// <param name="Name">A stable account identifier (Parley uses the account's id).</param>
/// <param name="DeviceId">The device number within the account (1 is the primary).</param>
public sealed record ProtocolAddress(string Name, uint DeviceId)
{
    public override string ToString() => $"{Name}.{DeviceId}";
}
