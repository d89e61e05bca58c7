using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Scan;

/// <summary>A folder with a generated key pair (in a file whose name needs escaping in every format) and a clean file.</summary>
public sealed class CiFormatFixture : IDisposable
{
    public TempDir Dir { get; } = new();
    public string KeyId { get; }
    public string Secret { get; }
    /// <summary>A name with the characters GitHub's workflow commands and URIs must escape.</summary>
    public const string KeyFile = "conf,ig:100%.py";

    public CiFormatFixture()
    {
        var fake = new FakeCredentials(9017);
        KeyId = fake.KeyId();
        Secret = fake.Secret();
        Dir.Write("leaky/" + KeyFile, $"# settings\naws_access_key_id = \"{KeyId}\"\naws_secret_access_key = \"{Secret}\"\n");
        Dir.Write("clean/readme.txt", "nothing to see\n");
    }

    public string Leaky => Path.Combine(Dir.Path, "leaky");
    public string Clean => Path.Combine(Dir.Path, "clean");

    public KeyGuardProcess.Result Scan(string dir, params string[] args) => KeyGuardProcess.Run(dir, null, ["scan", "--no-progress", .. args]);

    public void Dispose() => Dir.Dispose();
}
