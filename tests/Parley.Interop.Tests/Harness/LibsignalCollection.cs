namespace Parley.Interop.Tests.Harness;

/// <summary>
/// Tests in this collection share one libsignal harness process (and so run one after another).
/// Each test names its parties uniquely, since the harness's parties outlive a test.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LibsignalCollection : ICollectionFixture<LibsignalHarness>
{
    public const string Name = "libsignal";
}
