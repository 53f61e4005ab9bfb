using System.CommandLine;

namespace Parley.Cli;

/// <summary>Files: `send-file` (photos, videos, voice messages, documents), end-to-end encrypted.</summary>
public static partial class CliCommands
{
    private static Command SendFile(Option<DirectoryInfo> profile)
    {
        var to = new Argument<string>("recipient") { Description = "A number (E.164, e.g. +4915112345678) or a group (id or unique name)" };
        var path = new Argument<FileInfo>("path") { Description = "The file to send" };
        var caption = new Option<string?>("--caption") { Description = "Text shown with the file" };
        var voice = new Option<bool>("--voice") { Description = "Send an audio file as a voice message (re-encoded to Opus when ffmpeg is installed)" };
        var command = new Command("send-file",
            "Encrypt a file on this device, upload it (resuming after dropped connections) and send its key in an E2E message. "
            + "Photos are downscaled to 1600 px and re-encoded; videos and audio get their duration, poster or waveform when ffmpeg is installed.")
        {
            to, path, caption, voice,
        };
        command.SetAction((parse, cancellationToken) => ProfileSession.RunAsync(parse.GetValue(profile)!, session =>
            session.SendFileAsync(parse.GetValue(to)!, parse.GetValue(path)!, parse.GetValue(caption), parse.GetValue(voice), cancellationToken)));
        return command;
    }
}
