using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Calls;

/// <summary>
/// Just enough of STUN (RFC 8489) and TURN (RFC 8656) to ask a relay for an allocation with
/// long-term credentials: build requests with MESSAGE-INTEGRITY, read error codes, realm, nonce
/// and the relayed address.
/// </summary>
public sealed class StunMessage
{
    public const ushort AllocateRequest = 0x0003;
    public const ushort RefreshRequest = 0x0004;
    public const ushort AllocateSuccess = 0x0103;
    public const ushort AllocateError = 0x0113;

    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort Lifetime = 0x000D;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort XorRelayedAddress = 0x0016;
    public const ushort RequestedTransport = 0x0019;

    private const uint MagicCookie = 0x2112A442;
    private const int HeaderLength = 20;
    private const byte UdpProtocol = 17;

    private readonly List<(ushort Type, byte[] Value)> _attributes = [];

    public StunMessage(ushort type, byte[]? transactionId = null)
    {
        Type = type;
        TransactionId = transactionId ?? RandomNumberGenerator.GetBytes(12);
    }

    public ushort Type { get; }

    public byte[] TransactionId { get; }

    public IReadOnlyList<(ushort Type, byte[] Value)> Attributes => _attributes;

    public StunMessage Add(ushort type, byte[] value)
    {
        _attributes.Add((type, value));
        return this;
    }

    public StunMessage Add(ushort type, string value) => Add(type, Encoding.UTF8.GetBytes(value));

    /// <summary>Asks for a UDP relay (the only kind WebRTC uses).</summary>
    public StunMessage RequestUdpRelay() => Add(RequestedTransport, [UdpProtocol, 0, 0, 0]);

    public byte[]? Find(ushort type) => _attributes.FirstOrDefault(a => a.Type == type).Value;

    public string? FindText(ushort type) => Find(type) is { } value ? Encoding.UTF8.GetString(value) : null;

    /// <summary>The error code and reason of an error response (e.g. 401 Unauthorized), or null.</summary>
    public (int Code, string Reason)? Error => Find(ErrorCode) is { Length: >= 4 } value
        ? ((value[2] & 0x7) * 100 + value[3], Encoding.UTF8.GetString(value, 4, value.Length - 4))
        : null;

    /// <summary>The relay's address for this allocation, decoded from XOR-RELAYED-ADDRESS.</summary>
    public IPEndPoint? RelayedAddress
    {
        get
        {
            if (Find(XorRelayedAddress) is not { Length: >= 8 } value)
            {
                return null;
            }
            var port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(2)) ^ (MagicCookie >> 16));
            var address = value.AsSpan(4).ToArray();
            Span<byte> mask = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
            TransactionId.CopyTo(mask[4..]);
            for (var i = 0; i < address.Length; i++)
            {
                address[i] ^= mask[i];
            }
            return new IPEndPoint(new IPAddress(address), port);
        }
    }

    /// <summary>Serializes the message; with a key, appends MESSAGE-INTEGRITY (HMAC-SHA1 over everything before it).</summary>
    public byte[] Serialize(byte[]? integrityKey = null)
    {
        var length = _attributes.Sum(a => 4 + Padded(a.Value.Length)) + (integrityKey is null ? 0 : 24);
        var bytes = new byte[HeaderLength + length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, Type);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)length);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), MagicCookie);
        TransactionId.CopyTo(bytes, 8);
        var offset = HeaderLength;
        foreach (var (type, value) in _attributes)
        {
            offset = WriteAttribute(bytes, offset, type, value);
        }
        if (integrityKey is not null)
        {
            var mac = HMACSHA1.HashData(integrityKey, bytes.AsSpan(0, offset));
            WriteAttribute(bytes, offset, MessageIntegrity, mac);
        }
        return bytes;
    }

    /// <summary>The long-term credential key: MD5(username ":" realm ":" password), as RFC 8489 defines it.</summary>
    public static byte[] LongTermKey(string username, string realm, string password) =>
        MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));

    /// <summary>Total length of the message starting with this 20-byte header (for reading from a stream).</summary>
    public static int LengthFromHeader(ReadOnlySpan<byte> header) => HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(header[2..]);

    public static StunMessage Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]) != MagicCookie)
        {
            throw new InvalidDataException("Not a STUN message.");
        }
        var message = new StunMessage(BinaryPrimitives.ReadUInt16BigEndian(bytes), bytes.Slice(8, 12).ToArray());
        var end = Math.Min(bytes.Length, LengthFromHeader(bytes));
        for (var offset = HeaderLength; offset + 4 <= end;)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(offset + 2)..]);
            if (offset + 4 + length > end)
            {
                throw new InvalidDataException("A STUN attribute runs past the end of the message.");
            }
            message.Add(type, bytes.Slice(offset + 4, length).ToArray());
            offset += 4 + Padded(length);
        }
        return message;
    }

    private static int WriteAttribute(byte[] bytes, int offset, ushort type, byte[] value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), type);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset + 2), (ushort)value.Length);
        value.CopyTo(bytes, offset + 4);
        return offset + 4 + Padded(value.Length);
    }

    private static int Padded(int length) => (length + 3) & ~3;
}
