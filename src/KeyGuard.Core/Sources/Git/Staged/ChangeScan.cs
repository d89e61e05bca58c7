using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using LibGit2Sharp;
using Microsoft.Extensions.FileSystemGlobbing;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// Scans the blobs of changed files and keeps the findings on added lines. The whole blob goes through the engine,
/// so a new secret line still pairs with a key ID on an unchanged line nearby.
/// </summary>
public sealed class ChangeScan(Repository repo, ContentScanner scanner, WalkOptions walk)
{
    private readonly Matcher? _include = Globs(walk.Include);
    private readonly Matcher? _exclude = Globs(walk.Exclude);
    private readonly Dictionary<string, string[]> _linesByBlob = new(StringComparer.Ordinal);

    private static Matcher? Globs(IReadOnlyList<string> patterns)
    {
        if (patterns.Count == 0) return null;
        var m = new Matcher(StringComparison.Ordinal);
        m.AddIncludePatterns(patterns);
        return m;
    }

    public void Run(IEnumerable<ChangedFile> files, Func<ChangedFile, Provenance> provenance, ScanResult result)
    {
        foreach (var file in files)
        {
            if (_include != null && !_include.Match(file.Path).HasMatches) continue;
            if (_exclude != null && _exclude.Match(file.Path).HasMatches) continue;
            ScanOne(file, provenance(file), result);
        }
    }

    private void ScanOne(ChangedFile file, Provenance source, ScanResult result)
    {
        var blob = repo.Lookup<Blob>(file.Blob);
        if (blob == null) { result.Errors.Add(new ScanError(file.Path, $"blob {file.Blob.ToString(12)} is missing from the object store")); return; }
        var found = new List<Finding>();
        ContentResult r;
        try
        {
            using var stream = blob.GetContentStream();
            r = scanner.Scan(stream, source with { BlobId = file.Blob.Sha }, found);
        }
        catch (RuleTimeoutException e)
        {
            // The other rules' findings in this file still count.
            result.Errors.Add(new ScanError(file.Path, e.Message));
            result.Findings.AddRange(found.Where(f => file.Counts(f.Line)));
            return;
        }
        result.Stats.Blobs++;
        result.Stats.BytesScanned += r.Bytes;
        if (r.Binary) { result.Stats.BinarySkipped++; result.BinaryFiles.Add(file.Path); return; }
        result.Stats.FilesScanned++;
        result.Stats.SuppressedInline += r.Suppressed;
        result.Findings.AddRange(found.Where(f => file.Counts(f.Line)));
    }

    /// <summary>Text of a finding's line, read back from its blob: the allowlist's line rules need it.</summary>
    public string? LineText(Finding f)
    {
        if (f.Source.BlobId is not { } id) return null;
        if (!_linesByBlob.TryGetValue(id, out var lines))
        {
            var blob = repo.Lookup<Blob>(new ObjectId(id));
            lines = blob == null ? [] : BlobText.Decode(blob).Split('\n');
            _linesByBlob[id] = lines;
        }
        return f.Line >= 1 && f.Line <= lines.Length ? lines[f.Line - 1].TrimEnd('\r') : null;
    }
}
