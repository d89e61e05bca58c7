using System.Globalization;
using System.Text.Json;
using KeyGuard.Detection.Detectors;
using KeyGuard.Findings;

namespace KeyGuard.Planning;

/// <summary>
/// Turns a scan's JSON report (version 1) into one <see cref="LeakedKey"/> per key ID. The leak date is the earliest
/// date the report knows (a history sweep's introducing commit, a commit's date); for plain files it is when git first
/// saw the file, else its modification time.
/// </summary>
internal static class LeakReader
{
    public static List<LeakedKey> Read(string file, Func<string, DateTimeOffset?>? fileAppeared = null) =>
        Parse(ReadReport(file), file, fileAppeared);

    /// <summary>The report's bytes; a missing file is a usage error naming it.</summary>
    public static byte[] ReadReport(string file)
    {
        if (!File.Exists(file)) throw new InvalidInputException($"--findings: {file}: file not found");
        return File.ReadAllBytes(file);
    }

    /// <summary>Leaks from a scan report already in memory (a fresh scan needs no temporary file).</summary>
    public static List<LeakedKey> Parse(byte[] report, string file, Func<string, DateTimeOffset?>? fileAppeared = null)
    {
        try
        {
            using var doc = JsonDocument.Parse(report);
            if (!doc.RootElement.TryGetProperty("version", out var v) || v.GetInt32() != 1 || !doc.RootElement.TryGetProperty("findings", out var findings))
                throw new InvalidInputException($"--findings: {file}: not a KeyGuard scan report (version 1)");
            return FromFindings(findings.EnumerateArray().ToList(), fileAppeared ?? GitFileHistory.FirstSeen);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidInputException($"--findings: {file}: not valid JSON: {e.Message.Split('.')[0]}");
        }
    }

    /// <summary>The IAM facts a `scan --verify` report carries in each finding's "aws" object, by key ID.</summary>
    public static Dictionary<string, JsonElement> AwsFacts(byte[] report)
    {
        using var doc = JsonDocument.Parse(report);
        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var f in doc.RootElement.GetProperty("findings").EnumerateArray())
            if (Str(f, "keyId") is { } id && f.TryGetProperty("aws", out var aws) && !map.ContainsKey(id))
                map[id] = aws.Clone();
        return map;
    }

    /// <summary>The role of a finding read back from JSON, by its built-in rule.</summary>
    private static CredentialRole RoleOf(JsonElement finding) => Str(finding, "rule") is { } rule ? BuiltInDetectors.RoleOf(rule) : CredentialRole.Other;

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static DateTimeOffset? Date(JsonElement e, string name) =>
        Str(e, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    internal static List<LeakedKey> FromFindings(List<JsonElement> findings, Func<string, DateTimeOffset?> fileAppeared)
    {
        var byKey = findings.Where(f => Str(f, "keyId") != null).GroupBy(f => Str(f, "keyId")!, StringComparer.Ordinal);
        var result = new List<LeakedKey>();
        foreach (var group in byKey.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var locations = new List<LeakLocation>();
            DateTimeOffset? first = null;
            void Seen(DateTimeOffset? d) { if (d is { } x && (first == null || x < first)) first = x; }
            foreach (var f in group)
            {
                var path = Str(f, "path") ?? "";
                int line = f.TryGetProperty("line", out var l) ? l.GetInt32() : 0;
                var date = Date(f, "date");
                locations.Add(new LeakLocation(path, line, Str(f, "commit"), date));
                Seen(date);
                if (f.TryGetProperty("introduced", out var intro) && intro.ValueKind == JsonValueKind.Object) Seen(Date(intro, "date"));
                if (Str(f, "commit") == null && date == null) Seen(fileAppeared(path));
            }
            var paths = locations.Select(l => l.Path).ToHashSet();
            var others = findings.Where(f => paths.Contains(Str(f, "path") ?? "") && Str(f, "keyId") != group.Key && Str(f, "rule") is { } r && BuiltInDetectors.RoleOf(r) != CredentialRole.KeyId)
                .Select(f => $"{Str(f, "rule")} at {Str(f, "path")}:{(f.TryGetProperty("line", out var ln) ? ln.GetInt32() : 0)}").Distinct().Order().ToList();
            result.Add(new LeakedKey(group.Key, group.Select(f => Str(f, "account")).FirstOrDefault(a => a != null),
                locations.DistinctBy(l => (l.Path, l.Line, l.Commit)).OrderBy(l => l.Path, StringComparer.Ordinal).ThenBy(l => l.Line).ToList(),
                first,
                group.Any(f => RoleOf(f) == CredentialRole.Secret),
                group.Any(f => RoleOf(f) == CredentialRole.SessionToken),
                others));
        }
        return result;
    }
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
