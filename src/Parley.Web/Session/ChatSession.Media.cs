using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Parley.Client.Api;
using Parley.Client.Media;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Transport;
using Parley.Crypto.Media;
using Parley.Protocol.Rest;

namespace Parley.Web.Session;

/// <summary>A file the browser prepared to send (photo downscaled, video described, voice recorded); its bytes stay in JavaScript until sent.</summary>
public sealed record PreparedMedia(string Id, string Kind, string Mime, string Name, int Width, int Height, int DurationMs, int[] Waveform,
    string? PreviewUrl, long Size, bool Voice)
{
    public MediaType Type => Kind switch
    {
        "image" => MediaType.Image,
        "video" => MediaType.Video,
        "audio" => MediaType.Audio,
        _ => MediaType.Document,
    };
}

/// <summary>What downloads by itself when it arrives (WhatsApp's defaults: photos and voice yes, videos and documents on tap).</summary>
public sealed record AutoDownloadSettings(bool Photos = true, bool Audio = true, bool Videos = false, bool Documents = false)
{
    public bool Covers(MediaType kind) => kind switch
    {
        MediaType.Image => Photos,
        MediaType.Audio => Audio,
        MediaType.Video => Videos,
        _ => Documents,
    };
}

/// <summary>Where a received or sent file stands in this browser: kept (a URL to show it), downloading, or failed.</summary>
public sealed record MediaFileState(string? Url, double? Progress, string? Error);

/// <summary>An upload under way in a chat (shown in the composer).</summary>
public sealed record MediaUpload(string Name, double Progress);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(PreparedMedia))]
[JsonSerializable(typeof(AutoDownloadSettings))]
internal sealed partial class MediaJson : JsonSerializerContext;

/// <summary>
/// Media in the web client: the browser prepares files (wwwroot/js/parley-media.js), the SDK
/// encrypts and uploads them and sends the key inside the E2E message; received files are
/// downloaded (on arrival or on tap, per <see cref="AutoDownload"/>), verified, decrypted and kept
/// in IndexedDB so they survive a reload.
/// </summary>
public sealed partial class ChatSession
{
    private readonly Dictionary<string, string?> _fileUrls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _downloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _downloadErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MediaUpload> _uploads = new(StringComparer.Ordinal);
    private IJSObjectReference? _mediaModule;

    /// <summary>A file's download progress, availability or upload changed (attachment views re-render; chats do not reload).</summary>
    public event Action? MediaChanged;

    public AutoDownloadSettings AutoDownload { get; private set; } = new();

    private async Task<IJSObjectReference> MediaModuleAsync() =>
        _mediaModule ??= await js.InvokeAsync<IJSObjectReference>("import", "./js/parley-media.js");

    /// <summary>Loads the auto-download settings this browser keeps (called once the account is open).</summary>
    public async Task LoadMediaSettingsAsync()
    {
        var saved = await (await MediaModuleAsync()).InvokeAsync<string?>("loadSetting", "autoDownload");
        AutoDownload = saved is null ? new() : JsonSerializer.Deserialize(saved, MediaJson.Default.AutoDownloadSettings) ?? new();
    }

    public async Task SaveAutoDownloadAsync(AutoDownloadSettings settings)
    {
        AutoDownload = settings;
        await (await MediaModuleAsync()).InvokeVoidAsync("saveSetting", "autoDownload", JsonSerializer.Serialize(settings, MediaJson.Default.AutoDownloadSettings));
    }

    // ---- sending ----

    /// <summary>Prepares the file picked in <paramref name="input"/>; null when nothing was picked.</summary>
    public async Task<PreparedMedia?> PrepareFileAsync(ElementReference input)
    {
        var json = await (await MediaModuleAsync()).InvokeAsync<string?>("prepareFile", input);
        return json is null ? null : JsonSerializer.Deserialize(json, MediaJson.Default.PreparedMedia);
    }

    public async Task StartRecordingAsync() => await (await MediaModuleAsync()).InvokeVoidAsync("startRecording");

    public async Task CancelRecordingAsync() => await (await MediaModuleAsync()).InvokeVoidAsync("cancelRecording");

    /// <summary>Ends the recording: an Opus voice message ready to send.</summary>
    public async Task<PreparedMedia?> StopRecordingAsync()
    {
        var json = await (await MediaModuleAsync()).InvokeAsync<string?>("stopRecording");
        return json is null ? null : JsonSerializer.Deserialize(json, MediaJson.Default.PreparedMedia);
    }

    public async Task DiscardAsync(PreparedMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);
        await (await MediaModuleAsync()).InvokeVoidAsync("discard", media.Id, media.PreviewUrl);
    }

    public MediaUpload? UploadIn(ChatRef chat) => _uploads.GetValueOrDefault(chat.Key);

    /// <summary>Encrypts, uploads and sends a prepared file with its caption; keeps the file here so our own bubble shows it.</summary>
    /// <exception cref="InvalidOperationException">Offline: media is not queued (the file may be large).</exception>
    /// <exception cref="ParleyApiException">The server refused the upload (too large, over quota, rate limited).</exception>
    public async Task SendMediaAsync(ChatRef chat, PreparedMedia prepared, string caption)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(prepared);
        if (Client is not { } client || Connection != ConnectionState.Connected)
        {
            throw new InvalidOperationException("You are offline: files can be sent once the connection is back.");
        }
        var module = await MediaModuleAsync();
        var content = await module.InvokeAsync<byte[]>("takeContent", prepared.Id);
        var media = OutgoingMedia.FromBytes(prepared.Type, content, prepared.Mime, prepared.Name) with
        {
            Width = prepared.Width,
            Height = prepared.Height,
            DurationMs = prepared.DurationMs,
            Thumbnail = await module.InvokeAsync<byte[]>("takeThumbnail", prepared.Id),
            Waveform = [.. prepared.Waveform.Select(v => (byte)Math.Clamp(v, 0, 255))],
            VoiceNote = prepared.Voice,
            PageCount = prepared.Mime == "application/pdf" ? BasicMediaPreparer.CountPdfPages(content) : 0,
        };
        var blobSize = MediaCipher.BlobLength(content.Length);
        _uploads[chat.Key] = new MediaUpload(prepared.Name, 0);
        MediaChanged?.Invoke();
        var progress = new ThrottledProgress(sent => _uploads[chat.Key] = new MediaUpload(prepared.Name, (double)sent / blobSize), () => MediaChanged?.Invoke());
        try
        {
            var attachment = chat.IsGroup
                ? (await client.SendGroupMediaAsync(chat.GroupId!, media, caption, progress)).Attachment
                : (await client.SendMediaAsync(chat.Number!, media, caption, progress)).Attachment;
            await KeepFileAsync(attachment!, content);
            await DiscardAsync(prepared);
        }
        finally
        {
            _uploads.Remove(chat.Key);
            Notify();
            MediaChanged?.Invoke();
        }
    }

    /// <summary>The chat list's line for a message: its text, or for a file without caption what kind of file it is.</summary>
    private static string PreviewText(TimelineItem item) => item switch
    {
        { Attachment: null } => item.Text,
        { Attachment: var a } => (a.VoiceNote ? "🎤 Voice message" : a.Kind switch
        {
            MediaType.Image => "📷 Photo",
            MediaType.Video => "🎥 Video",
            MediaType.Audio => "🎵 " + a.FileName,
            _ => "📄 " + a.FileName,
        }) + (item.Text.Length > 0 ? ": " + item.Text : ""),
    };

    // ---- receiving ----

    private void WatchMedia(ParleyClient client)
    {
        _ = LoadMediaSettingsAsync();
        client.MessageReceived += message => AutoDownloadArrived(message.Attachment);
        client.GroupMessageReceived += message => AutoDownloadArrived(message.Attachment);
    }

    private void AutoDownloadArrived(MediaAttachment? attachment)
    {
        if (attachment is not null && AutoDownload.Covers(attachment.Kind))
        {
            _ = DownloadAsync(attachment);
        }
    }

    /// <summary>Where this file stands here; call <see cref="LookUpFileAsync"/> first to learn whether IndexedDB has it.</summary>
    public MediaFileState FileState(MediaAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        return new MediaFileState(_fileUrls.GetValueOrDefault(attachment.MediaId), _downloads.TryGetValue(attachment.MediaId, out var p) ? p : null,
            _downloadErrors.GetValueOrDefault(attachment.MediaId));
    }

    /// <summary>Asks IndexedDB once per file whether this browser already has it (downloaded or sent from here before).</summary>
    public async Task LookUpFileAsync(MediaAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        if (!_fileUrls.ContainsKey(attachment.MediaId))
        {
            _fileUrls[attachment.MediaId] = await (await MediaModuleAsync()).InvokeAsync<string?>("fileUrl", attachment.MediaId);
        }
    }

    /// <summary>Downloads, verifies and decrypts a received file, then keeps it; progress and errors show on its bubble.</summary>
    public async Task DownloadAsync(MediaAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        await LookUpFileAsync(attachment);
        if (Client is not { } client || _fileUrls.GetValueOrDefault(attachment.MediaId) is not null || _downloads.ContainsKey(attachment.MediaId))
        {
            return;
        }
        _downloads[attachment.MediaId] = 0;
        _downloadErrors.Remove(attachment.MediaId);
        MediaChanged?.Invoke();
        try
        {
            using var file = new MemoryStream((int)Math.Min(attachment.Size, int.MaxValue));
            var progress = new ThrottledProgress(received => _downloads[attachment.MediaId] = (double)received / Math.Max(1, attachment.BlobSize),
                () => MediaChanged?.Invoke());
            await client.DownloadAttachmentAsync(attachment, file, progress);
            await KeepFileAsync(attachment, file.ToArray());
        }
        catch (MediaTamperedException)
        {
            _downloadErrors[attachment.MediaId] = "This file was altered after it was sent, so it was refused.";
        }
        catch (ParleyApiException error) when (error.Code == MediaErrorCodes.MediaNotFound)
        {
            _downloadErrors[attachment.MediaId] = "This file is no longer on the server.";
        }
        catch (Exception error) when (error is HttpRequestException or ParleyApiException or IOException or TaskCanceledException)
        {
            _downloadErrors[attachment.MediaId] = "Download failed. Tap to try again.";
        }
        finally
        {
            _downloads.Remove(attachment.MediaId);
            MediaChanged?.Invoke();
        }
    }

    /// <summary>"Save as" for a kept file, under the sender's name.</summary>
    public async Task SaveFileAsync(MediaAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        if (_fileUrls.GetValueOrDefault(attachment.MediaId) is { } url)
        {
            await (await MediaModuleAsync()).InvokeVoidAsync("saveFile", url, Path.GetFileName(attachment.FileName.Replace('\\', '/')));
        }
    }

    public async Task BindVoiceAsync(ElementReference container, int durationMs) =>
        await (await MediaModuleAsync()).InvokeVoidAsync("bindVoice", container, durationMs);

    private async Task KeepFileAsync(MediaAttachment attachment, byte[] content)
    {
        _fileUrls[attachment.MediaId] = await (await MediaModuleAsync()).InvokeAsync<string>("storeFile", attachment.MediaId, content, attachment.MimeType);
    }

    /// <summary>Sign out: decrypted files go with the keys.</summary>
    private async Task ForgetMediaAsync()
    {
        await (await MediaModuleAsync()).InvokeVoidAsync("clearFiles");
        _fileUrls.Clear();
        _downloadErrors.Clear();
    }

    /// <summary>Records every report but tells the UI only every few percent: a re-render per 80 KB chunk would slow the transfer down.</summary>
    private sealed class ThrottledProgress(Action<long> record, Action changed) : IProgress<long>
    {
        private DateTime _lastShown;

        public void Report(long value)
        {
            record(value);
            if (DateTime.UtcNow - _lastShown > TimeSpan.FromMilliseconds(150))
            {
                _lastShown = DateTime.UtcNow;
                changed();
            }
        }
    }
}
