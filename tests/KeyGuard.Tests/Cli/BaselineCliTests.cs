using System.Text.Json;
using System.Text.Json.Nodes;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// `keyguard baseline create` and `scan --baseline`: a baseline is written whole, only after a clean scan, keeps
/// hand-added fields with --update (ux S2, reliability 1.25), never scans itself (S6), and reports as "no longer
/// seen" only entries within what was scanned (S28).
/// </summary>
public sealed class BaselineCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(225);

    public void Dispose() => _dir.Dispose();

    private string PlantKey(string file)
    {
        var id = _fake.KeyId();
        _dir.Write(file, $"aws_access_key_id = {id}\n");
        return id;
    }

    private KeyGuardProcess.Result Keyguard(params string[] args) => KeyGuardProcess.Run(_dir.Path, null, args);

    private string BaselinePath => Path.Combine(_dir.Path, ".keyguard-baseline.json");

    private List<JsonElement> Entries() =>
        JsonDocument.Parse(File.ReadAllText(BaselinePath)).RootElement.GetProperty("entries").EnumerateArray().ToList();

    [Fact]
    public void Update_keeps_every_entry_and_its_reason_and_adds_new_findings()
    {
        var first = PlantKey("app/a.env");
        Assert.Equal(0, Keyguard("baseline", "create", "-o", ".keyguard-baseline.json").ExitCode);
        var doc = JsonNode.Parse(File.ReadAllText(BaselinePath))!;
        doc["entries"]![0]!["reason"] = "test fixture, key never existed";
        File.WriteAllText(BaselinePath, doc.ToJsonString());
        File.Delete(Path.Combine(_dir.Path, "app/a.env"));
        var second = PlantKey("app/b.env");

        var r = Keyguard("baseline", "create", "--update", "-o", ".keyguard-baseline.json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("wrote 2 baseline entries to .keyguard-baseline.json (1 new)", r.Stderr);
        var entries = Entries();
        Assert.Equal([first, second], entries.Select(e => e.GetProperty("keyId").GetString()).Order());
        Assert.Equal("test fixture, key never existed", entries.Single(e => e.GetProperty("keyId").GetString() == first).GetProperty("reason").GetString());
    }

    [Fact]
    public void A_failed_scan_or_a_bad_option_never_overwrites_the_baseline()
    {
        PlantKey("a.env"); PlantKey("b.env"); PlantKey("c.env");
        Assert.Equal(0, Keyguard("baseline", "create", "-o", ".keyguard-baseline.json").ExitCode);
        var before = File.ReadAllBytes(BaselinePath);
        Assert.Equal(3, Entries().Count);

        var missing = Keyguard("baseline", "create", ".", "no-such-dir", "-o", ".keyguard-baseline.json");
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("keyguard: .keyguard-baseline.json: not written, because the scan had errors", missing.Stderr);
        Assert.Equal(before, File.ReadAllBytes(BaselinePath));

        // The review's typo: an unknown option is a usage error or a missing path, never an empty baseline.
        var bogus = Keyguard("baseline", "create", "--bogus", "-o", ".keyguard-baseline.json");
        Assert.True(bogus.ExitCode is 2 or 3, bogus.ToString());
        Assert.Equal(before, File.ReadAllBytes(BaselinePath));

        File.WriteAllText(Path.Combine(_dir.Path, "broken.json"), "{ \"version\": 1, \"entries\": [ {");
        var broken = Keyguard("baseline", "create", "--update", "-o", "broken.json");
        Assert.Equal(2, broken.ExitCode);
        Assert.Single(broken.Stderr.Trim().Split('\n'));
        Assert.Equal("{ \"version\": 1, \"entries\": [ {", File.ReadAllText(Path.Combine(_dir.Path, "broken.json")));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    public void The_baseline_file_is_never_scanned()
    {
        var kept = PlantKey("keep.env");
        var removed = PlantKey("old.env");
        Assert.Equal(0, Keyguard("baseline", "create", "-o", ".keyguard-baseline.json").ExitCode);
        _dir.Write(".keyguard.json", "{ \"baseline\": \".keyguard-baseline.json\" }");

        // Configured, the baseline file is not scanned: its own copy of a key ID no longer keeps a stale entry "seen".
        File.Delete(Path.Combine(_dir.Path, "old.env"));
        var r = Keyguard("scan", "-f", "json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var root = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal([removed], root.GetProperty("baselineUnseen").EnumerateArray().Select(e => e.GetProperty("keyId").GetString()));

        // Re-creating it with the baseline configured records every current finding, not only the unaccepted ones.
        var added = PlantKey("new.env");
        Assert.Equal(0, Keyguard("baseline", "create", "-o", ".keyguard-baseline.json").ExitCode);
        Assert.Equal(new[] { added, kept }.Order(), Entries().Select(e => e.GetProperty("keyId").GetString()).Order());
        Assert.DoesNotContain(Entries(), e => e.GetProperty("path").GetString() == ".keyguard-baseline.json");
    }

    [Fact]
    public void Scanning_one_file_lists_as_unseen_only_entries_from_that_file()
    {
        var inA = PlantKey("a.env");
        PlantKey("b.env");
        Assert.Equal(0, Keyguard("baseline", "create", ".", "-o", ".keyguard-baseline.json").ExitCode);
        _dir.Write("a.env", "rotated\n");

        var onlyB = Keyguard("scan", "b.env", "--baseline", ".keyguard-baseline.json", "-f", "json");
        Assert.True(onlyB.ExitCode == 0, onlyB.ToString());
        Assert.False(JsonDocument.Parse(onlyB.Stdout).RootElement.TryGetProperty("baselineUnseen", out _));

        var onlyA = Keyguard("scan", "a.env", "--baseline", ".keyguard-baseline.json", "-f", "json");
        Assert.Equal([inA], JsonDocument.Parse(onlyA.Stdout).RootElement.GetProperty("baselineUnseen").EnumerateArray().Select(e => e.GetProperty("keyId").GetString()));

        // From a subfolder, entry paths are read relative to the baseline's folder.
        _dir.Write("sub/c.env", "nothing\n");
        var sub = KeyGuardProcess.Run(Path.Combine(_dir.Path, "sub"), null, "scan", ".", "--baseline", "../.keyguard-baseline.json", "-f", "json");
        Assert.False(JsonDocument.Parse(sub.Stdout).RootElement.TryGetProperty("baselineUnseen", out _));
    }
}
