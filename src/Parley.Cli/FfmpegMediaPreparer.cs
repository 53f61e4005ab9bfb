using System.Diagnostics;
using System.Globalization;
using Parley.Client.Media;
using Parley.Client.Media.Skia;
using Parley.Crypto.Media;

namespace Parley.Cli;

/// <summary>
/// Videos and audio through Debian's ffmpeg/ffprobe when they are installed: a video's duration,
/// size and blurred poster frame; an audio file's duration and waveform, and a voice note
/// re-encoded to Opus. Without ffmpeg the file goes as it is, with its name and size only.
/// </summary>
internal sealed class FfmpegMediaPreparer : IMediaPreparer
{
    private const int WaveformSamples = 64;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);
    private readonly BasicMediaPreparer _basic = new();

    public static bool Available => OnPath("ffmpeg") && OnPath("ffprobe");

    public async Task<OutgoingMedia> PrepareAsync(string path, bool voiceNote = false, CancellationToken cancellationToken = default)
    {
        var basic = await _basic.PrepareAsync(path, voiceNote, cancellationToken);
        if (!Available || basic.Kind is not (MediaType.Video or MediaType.Audio))
        {
            return basic;
        }
        var probe = await ProbeAsync(path, cancellationToken);
        if (basic.Kind == MediaType.Video)
        {
            var poster = await RunAsync("ffmpeg", ["-v", "error", "-i", path, "-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-"], cancellationToken);
            return basic with
            {
                Width = probe.Width,
                Height = probe.Height,
                DurationMs = probe.DurationMs,
                Thumbnail = poster is null ? [] : SkiaImages.BlurredThumbnail(poster),
            };
        }
        var audio = basic;
        if (voiceNote && basic.MimeType != "audio/ogg")
        {
            // Voice messages are Opus (mono, 32 kbit/s speech quality), as WhatsApp sends them.
            var opus = await RunAsync("ffmpeg", ["-v", "error", "-i", path, "-vn", "-c:a", "libopus", "-b:a", "32k", "-ac", "1", "-f", "ogg", "-"], cancellationToken);
            if (opus is not null)
            {
                await basic.Content.DisposeAsync();
                audio = OutgoingMedia.FromBytes(MediaType.Audio, opus, "audio/ogg", Path.ChangeExtension(Path.GetFileName(path), ".ogg")) with { VoiceNote = true };
            }
        }
        var pcm = await RunAsync("ffmpeg", ["-v", "error", "-i", path, "-vn", "-ac", "1", "-ar", "8000", "-f", "s16le", "-"], cancellationToken);
        return audio with { DurationMs = probe.DurationMs, Waveform = pcm is null ? [] : Waveform(pcm) };
    }

    /// <summary>Peak amplitude of each of 64 equal slices, scaled to 0-255 against the loudest.</summary>
    public static byte[] Waveform(byte[] pcm16)
    {
        var samples = pcm16.Length / 2;
        if (samples == 0)
        {
            return [];
        }
        var peaks = new int[WaveformSamples];
        for (var i = 0; i < samples; i++)
        {
            var value = Math.Abs((int)BitConverter.ToInt16(pcm16, i * 2));
            var slot = (int)((long)i * WaveformSamples / samples);
            peaks[slot] = Math.Max(peaks[slot], value);
        }
        var loudest = Math.Max(1, peaks.Max());
        return peaks.Select(p => (byte)(p * 255 / loudest)).ToArray();
    }

    private static async Task<(int Width, int Height, int DurationMs)> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var output = await RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=width,height:format=duration", "-of", "default=noprint_wrappers=1", path],
            cancellationToken);
        int width = 0, height = 0, duration = 0;
        foreach (var line in System.Text.Encoding.UTF8.GetString(output ?? []).Split('\n', StringSplitOptions.TrimEntries))
        {
            var (key, value) = (line.Split('=')[0], line.Contains('=') ? line[(line.IndexOf('=') + 1)..] : "");
            switch (key)
            {
                case "width" when width == 0: int.TryParse(value, CultureInfo.InvariantCulture, out width); break;
                case "height" when height == 0: int.TryParse(value, CultureInfo.InvariantCulture, out height); break;
                case "duration" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds):
                    duration = (int)Math.Round(seconds * 1000);
                    break;
            }
        }
        return (width, height, duration);
    }

    /// <summary>The tool's stdout, or null when it failed (the file then goes without that detail).</summary>
    private static async Task<byte[]?> RunAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start);
        if (process is null)
        {
            return null;
        }
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ToolTimeout);
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await Task.WhenAll(copy, errors, process.WaitForExitAsync(timeout.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return null;
        }
        return process.ExitCode == 0 && stdout.Length > 0 ? stdout.ToArray() : null;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, tool)));
}
