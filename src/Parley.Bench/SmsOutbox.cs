using System.Text;

namespace Parley.Bench;

/// <summary>
/// The server's development SMS outbox ("&lt;number&gt; &lt;code&gt;" per line), tailed once for all
/// registrations: re-reading the whole file per code would make registering N users cost N².
/// </summary>
public sealed class SmsOutbox(string path)
{
    private readonly Dictionary<string, string> _codes = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _offset;

    public async Task<string> CodeForAsync(string number, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (_codes.Remove(number, out var code) || (ReadNewLines() && _codes.Remove(number, out code)))
                {
                    return code;
                }
            }
            finally
            {
                _gate.Release();
            }
            await Task.Delay(10, cancellationToken);
        }
        throw new InvalidOperationException($"No code for a bench number in {path}: pass the server's --sms-outbox path.");
    }

    private bool ReadNewLines()
    {
        if (!File.Exists(path))
        {
            return false;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length <= _offset)
        {
            return false;
        }
        stream.Seek(_offset, SeekOrigin.Begin);
        var bytes = new byte[stream.Length - _offset];
        stream.ReadExactly(bytes);
        // Only whole lines: the server may be in the middle of appending one.
        var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                _codes[line[..space]] = line[(space + 1)..];
            }
        }
        _offset += complete;
        return complete > 0;
    }
}
