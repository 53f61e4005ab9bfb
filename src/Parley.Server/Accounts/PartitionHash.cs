namespace Parley.Server.Accounts;

/// <summary>
/// FNV-1a, for spreading accounts and devices over grain partitions: every node must compute the
/// same partition, and <see cref="string.GetHashCode()"/> differs from process to process.
/// </summary>
public static class PartitionHash
{
    private const uint Offset = 2166136261u;
    private const uint Prime = 16777619u;

    public static uint Of(string text)
    {
        var hash = Offset;
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }
        return hash;
    }

    public static uint Of(DeviceAddress device) => (Of(device.AccountId) ^ (uint)device.DeviceId) * Prime;
}
