using System.Text.Json.Nodes;

namespace Parley.Interop.Tests.Harness;

/// <summary>The oracle itself: the pinned libsignal, and errors that do not stop it.</summary>
[Collection(LibsignalCollection.Name)]
public sealed class HarnessTests(LibsignalHarness libsignal)
{
    [Fact]
    public void The_harness_runs_the_pinned_libsignal_release()
    {
        Assert.Equal("0.90.0", libsignal.LibsignalVersion);
    }

    [Fact]
    public async Task A_refused_command_answers_the_libsignal_error_and_the_harness_keeps_answering()
    {
        var bob = await libsignal.CreatePartyAsync($"harness-bob-{Guid.NewGuid():N}");

        var refused = await libsignal.TryDecryptAsync(bob, "nobody", 1, new WireMessage(WireMessage.SignalType, [1, 2, 3]));
        var unknown = await libsignal.TrySendAsync(new JsonObject { ["cmd"] = "no-such-command" });
        var (publicKey, privateKey) = await libsignal.GenerateKeyPairAsync();

        Assert.Null(refused.Plaintext);
        Assert.Contains("SignalMessage_Deserialize", refused.Error);
        Assert.Contains("unknown command", unknown["error"]!.GetValue<string>());
        Assert.Equal(publicKey, await libsignal.PublicKeyOfAsync(privateKey));
    }
}
