using System.Globalization;
using System.Text.Json;
using Parley.Client.Api;
using Parley.Client.Media;
using Parley.Client.Media.Skia;
using Parley.Client.Messaging;
using Parley.Protocol.Rest;

namespace Parley.Cli;

/// <summary>Files: sending, and `receive` saving them into a folder under the names their senders gave.</summary>
internal sealed partial class ProfileSession
{
    private static readonly IMediaPreparer Preparer = new SkiaMediaPreparer(new FfmpegMediaPreparer());

    public async Task<int> SendFileAsync(string recipient, FileInfo file, string? caption, bool voice, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CliException($"no such file: {file.FullName}");
        }
        var media = await Preparer.PrepareAsync(file.FullName, voice, cancellationToken);
        await using var content = media.Content;
        await using var client = await ConnectAsync(receive: false, cancellationToken);
        if (recipient.StartsWith('+'))
        {
            await client.SendMediaAsync(recipient, media, caption, cancellationToken: cancellationToken);
            await Console.Out.WriteLineAsync("sent");
            return 0;
        }
        var group = await client.FindGroupAsync(recipient, cancellationToken);
        await client.RefreshGroupAsync(group.GroupId, cancellationToken);
        var sent = await client.SendGroupMediaAsync(group.GroupId, media, caption, cancellationToken: cancellationToken);
        await Console.Out.WriteLineAsync($"sent {Convert.ToHexStringLower(sent.MessageId)}");
        return 0;
    }

    /// <summary>Downloads received files one after another while `receive` runs, and prints each message once its file is saved.</summary>
    private sealed class FileReceiver(ParleyClient client, DirectoryInfo folder, bool json, SemaphoreSlim arrived)
    {
        private readonly SemaphoreSlim _oneAtATime = new(1, 1);
        private readonly List<Task> _pending = [];

        public void Receive(string prefix, string from, string text, MediaAttachment file, long timestamp, byte[] messageId, string? group = null)
        {
            lock (_pending)
            {
                _pending.Add(Task.Run(() => SaveAndPrintAsync(prefix, from, text, file, timestamp, messageId, group)));
            }
        }

        public async Task WhenDoneAsync()
        {
            Task[] pending;
            lock (_pending)
            {
                pending = [.. _pending];
            }
            await Task.WhenAll(pending);
        }

        private async Task SaveAndPrintAsync(string prefix, string from, string text, MediaAttachment file, long timestamp, byte[] messageId, string? group)
        {
            await _oneAtATime.WaitAsync();
            try
            {
                string? saved = null;
                string? problem = null;
                try
                {
                    saved = await SaveAsync(file);
                }
                catch (MediaTamperedException refused)
                {
                    problem = "refused: altered";
                    await Console.Error.WriteLineAsync($"warning: {refused.Message}");
                }
                catch (ParleyApiException gone) when (gone.Code == MediaErrorCodes.MediaNotFound)
                {
                    problem = "no longer on the server";
                    await Console.Error.WriteLineAsync($"warning: the file \"{file.FileName}\" from {from} could not be downloaded: {gone.Message}");
                }
                var kind = file.Kind.ToString().ToLowerInvariant();
                var outcome = saved is null ? $"\"{file.FileName}\" {problem}" : "saved to " + saved;
                var caption = text.Length > 0 ? text + " " : "";
                Print(json
                    ? JsonSerializer.Serialize(new ReceivedFileLine(group, from, text, timestamp, Convert.ToHexStringLower(messageId),
                        new FileLine(kind, file.FileName, file.MimeType, file.Size, saved, problem, file.Width, file.Height, file.DurationMs, file.VoiceNote)), Json)
                    : $"{prefix}{from}: {caption}[{kind} {outcome}]");
            }
            finally
            {
                _oneAtATime.Release();
                arrived.Release();
            }
        }

        private async Task<string> SaveAsync(MediaAttachment file)
        {
            folder.Create();
            var part = Path.Combine(folder.FullName, "." + Guid.NewGuid().ToString("N") + ".part");
            try
            {
                await using (var output = new FileStream(part, FileMode.CreateNew, FileAccess.Write))
                {
                    await client.DownloadAttachmentAsync(file, output);
                }
                var target = FreeName(folder, SafeName(file));
                File.Move(part, target);
                return target;
            }
            finally
            {
                File.Delete(part); // after a refusal nothing of the file stays
            }
        }

        /// <summary>The sender chooses the name: only its last path segment is used, without control or path characters.</summary>
        private static string SafeName(MediaAttachment file)
        {
            var name = Path.GetFileName(file.FileName.Replace('\\', '/'));
            name = new string(name.Where(c => !char.IsControl(c) && Array.IndexOf(Path.GetInvalidFileNameChars(), c) < 0).ToArray()).Trim().TrimStart('.');
            return name.Length > 0 ? name : $"{file.Kind.ToString().ToLowerInvariant()}-{file.MediaId[..8]}";
        }

        private static string FreeName(DirectoryInfo folder, string name)
        {
            var path = Path.Combine(folder.FullName, name);
            for (var n = 1; File.Exists(path); n++)
            {
                path = Path.Combine(folder.FullName, $"{Path.GetFileNameWithoutExtension(name)} ({n.ToString(CultureInfo.InvariantCulture)}){Path.GetExtension(name)}");
            }
            return path;
        }
    }

    /// <summary>The JSON shape of a received message with a file (--json); <c>saved</c> is null when it could not be saved (<c>problem</c> says why).</summary>
    private sealed record ReceivedFileLine(string? Group, string From, string Text, long Timestamp, string Id, FileLine File);

    private sealed record FileLine(string Kind, string Name, string MimeType, long Size, string? Saved, string? Problem, int Width, int Height,
        int DurationMs, bool Voice);
}
