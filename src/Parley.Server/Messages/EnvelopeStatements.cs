using System.Data.Common;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Messages;

/// <summary>The two prepared statements of a write batch, created once per transaction and reused per row.</summary>
internal sealed class EnvelopeStatements(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    private DbCommand? _insert;
    private DbCommand? _delete;

    public async Task<long> InsertAsync(StoredEnvelope envelope)
    {
        _insert ??= connection.Command("""
            INSERT INTO envelopes (account_id, device_id, type, source_account, source_device, message_id,
                                   client_timestamp, server_timestamp, content, receipted_ids, expires_at)
            VALUES (@a, @d, @type, @src, @srcDevice, @mid, @cts, @sts, @content, @receipted, @expires)
            RETURNING id
            """, transaction)
            .With("a", "").With("d", 0).With("type", 0).With("src", "").With("srcDevice", 0).With("mid", Array.Empty<byte>())
            .With("cts", 0L).With("sts", 0L).With("content", Array.Empty<byte>()).With("receipted", Array.Empty<byte>()).With("expires", 0L);
        _insert.Set("a", envelope.Destination.AccountId);
        _insert.Set("d", envelope.Destination.DeviceId);
        _insert.Set("type", (int)envelope.Type);
        _insert.Set("src", envelope.SourceAccount);
        _insert.Set("srcDevice", envelope.SourceDevice);
        _insert.Set("mid", envelope.MessageId);
        _insert.Set("cts", envelope.ClientTimestamp);
        _insert.Set("sts", envelope.ServerTimestamp);
        _insert.Set("content", envelope.Content);
        _insert.Set("receipted", envelope.ReceiptedIds);
        _insert.Set("expires", envelope.ExpiresAt);
        return Convert.ToInt64(await _insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes one envelope of this device; null when it was already gone (a repeated ack).</summary>
    public async Task<AckedEnvelope?> DeleteAsync(DeviceAddress device, long id)
    {
        _delete ??= connection.Command(
            "DELETE FROM envelopes WHERE id = @id AND account_id = @a AND device_id = @d RETURNING type, source_account, source_device, message_id",
            transaction).With("id", 0L).With("a", "").With("d", 0);
        _delete.Set("id", id);
        _delete.Set("a", device.AccountId);
        _delete.Set("d", device.DeviceId);
        await using var reader = await _delete.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new AckedEnvelope(id, (EnvelopeType)reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader.GetValue(3))
            : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_insert is not null)
        {
            await _insert.DisposeAsync();
        }
        if (_delete is not null)
        {
            await _delete.DisposeAsync();
        }
    }
}
