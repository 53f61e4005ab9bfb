using Parley.Crypto.Groups;

namespace Parley.Crypto.Stores;

/// <summary>Sender-key records per (sender device, distribution id); loads return fresh copies.</summary>
public interface ISenderKeyStore
{
    Task<SenderKeyRecord?> LoadSenderKeyAsync(ProtocolAddress sender, Guid distributionId);

    Task StoreSenderKeyAsync(ProtocolAddress sender, Guid distributionId, SenderKeyRecord record);
}
