using System.Globalization;
using System.Text.Json;
using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;

namespace KeyGuard.Planning;

/// <summary>Reads a scan's JSON report (version 1, `--findings FILE`) into the planner's sightings.</summary>
internal static class LeakReader
{
    public static List<LeakedKey> Read(string file, Func<string, DateTimeOffset?>? fileAppeared = null) =>
        LeakedKeys.From(Sightings(file), fileAppeared ?? GitFileHistory.FirstSeen);

    /// <summary>Leaks from a report's bytes (the fuzz target).</summary>
    public static List<LeakedKey> Parse(byte[] report, string file, Func<string, DateTimeOffset?>? fileAppeared = null) =>
        LeakedKeys.From(Sightings(report, file), fileAppeared ?? GitFileHistory.FirstSeen);

    internal static List<LeakSighting> Sightings(string file) => Sightings(file, out _);

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";

    /// <param name="errors">What the scan behind the report could not read (path, message): no plan covers it.</param>
    internal static List<LeakSighting> Sightings(string file, out List<(string Path, string Message)> errors)
    {
        if (!File.Exists(file)) throw new InvalidInputException($"--findings: {file}: file not found");
        return Sightings(File.ReadAllBytes(file), file, out errors);
    }

    internal static List<LeakSighting> Sightings(byte[] report, string file) => Sightings(report, file, out _);

    private static List<LeakSighting> Sightings(byte[] report, string file, out List<(string Path, string Message)> errors)
    {
        try
        {
            using var doc = JsonDocument.Parse(report);
            if (!doc.RootElement.TryGetProperty("version", out var v) || v.GetInt32() != 1 || !doc.RootElement.TryGetProperty("findings", out var findings))
                throw new InvalidInputException($"--findings: {file}: not a KeyGuard scan report (version 1)");
            errors = doc.RootElement.TryGetProperty("errors", out var listed) && listed.ValueKind == JsonValueKind.Array
                ? listed.EnumerateArray().Select(e => (Text(e, "path"), Text(e, "message"))).ToList()
                : [];
            return findings.EnumerateArray().Select(Sighting).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidInputException($"--findings: {file}: not valid JSON: {e.Message.Split('.')[0]}");
        }
    }

    private static LeakSighting Sighting(JsonElement f)
    {
        var keyId = Str(f, "keyId");
        var rule = Str(f, "rule") ?? "";
        return new LeakSighting(keyId, BuiltInDetectors.RoleOf(rule), rule, Str(f, "path") ?? "",
            f.TryGetProperty("line", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt32() : 0,
            Str(f, "commit"), Date(f, "date"),
            f.TryGetProperty("introduced", out var intro) && intro.ValueKind == JsonValueKind.Object ? Date(intro, "date") : null,
            Str(f, "account"),
            keyId != null && f.TryGetProperty("aws", out var aws) && aws.ValueKind == JsonValueKind.Object ? KeyFactsJson.Read(keyId, aws) : null);
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static DateTimeOffset? Date(JsonElement e, string name) =>
        Str(e, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
}

/// <summary>When a file first appeared: the oldest commit that holds it, else its modification time.</summary>
internal static class GitFileHistory
{
    public static DateTimeOffset? FirstSeen(string path)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or IOException) { return null; }
        return FirstCommitDate(full) ?? ModificationTime(full);
    }

    private static DateTimeOffset? FirstCommitDate(string full)
    {
        try
        {
            var gitDir = KeyGuard.Sources.Git.Staged.GitRepositoryLocator.Discover(Path.GetDirectoryName(full) ?? ".");
            if (gitDir == null) return null;
            using var repo = new LibGit2Sharp.Repository(gitDir);
            if (repo.Info.IsBare || repo.Head.Tip == null) return null;
            var rel = Path.GetRelativePath(repo.Info.WorkingDirectory, full).Replace('\\', '/');
            return rel.StartsWith("../", StringComparison.Ordinal) ? null : OldestCommitHolding(repo, rel);
        }
        // A repository libgit2 cannot read must not stop a plan: the leak is dated by the file instead.
        catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or IOException or UnauthorizedAccessException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static DateTimeOffset? ModificationTime(string full)
    {
        try { return File.Exists(full) ? new DateTimeOffset(File.GetLastWriteTimeUtc(full), TimeSpan.Zero) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// The earliest committer date among commits reachable from HEAD whose tree holds <paramref name="relativePath"/>.
    /// A plain walk with one tree lookup per commit: LibGit2Sharp's FileHistory (QueryBy(path)) throws
    /// KeyNotFoundException on histories with an empty commit (reliability B6). A file deleted and added again counts
    /// from its first appearance: the earlier exposure is the one that matters.
    /// </summary>
    internal static DateTimeOffset? OldestCommitHolding(LibGit2Sharp.Repository repo, string relativePath)
    {
        DateTimeOffset? oldest = null;
        var walk = repo.Commits.QueryBy(new LibGit2Sharp.CommitFilter { IncludeReachableFrom = repo.Head.Tip, SortBy = LibGit2Sharp.CommitSortStrategies.Topological });
        foreach (var commit in walk)
        {
            var when = commit.Committer.When;
            if (oldest is { } o && when >= o) continue; // cannot improve: skip the tree lookup
            if (commit[relativePath] is { TargetType: LibGit2Sharp.TreeEntryTargetType.Blob }) oldest = when;
        }
        return oldest;
    }
}
