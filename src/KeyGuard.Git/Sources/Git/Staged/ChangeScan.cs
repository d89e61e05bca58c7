using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>
/// Scans the blobs of changed files and keeps the findings on added lines. The whole blob goes through the engine,
/// so a new secret line still pairs with a key ID on an unchanged line nearby. Without a libgit2 handle (a SHA-256
/// repository), blobs come from <c>readBlob</c> (git) by their full id.
/// </summary>
/// <param name="pathSelected">The scan's --include/--exclude test of a path relative to the repository's root.</param>
internal sealed class ChangeScan(Repository? repo, ContentScanner scanner, Func<string, bool> pathSelected, Func<string, byte[]?>? readBlob = null)
{
    private readonly Dictionary<string, string[]> _linesByBlob = new(StringComparer.Ordinal);

    public void Run(IEnumerable<ChangedFile> files, Func<ChangedFile, Provenance> provenance, ScanResult result)
    {
        foreach (var file in files)
        {
            if (!pathSelected(file.Path)) continue;
            ScanOne(file, provenance(file), result);
        }
    }

    private Stream? Open(ChangedFile file)
    {
        if (repo == null) return readBlob?.Invoke(file.BlobHex) is { } bytes ? new MemoryStream(bytes, writable: false) : null;
        return repo.Lookup<Blob>(file.Blob)?.GetContentStream();
    }

    private void ScanOne(ChangedFile file, Provenance source, ScanResult result)
    {
        using var stream = Open(file);
        if (stream == null) { result.Errors.Add(new ScanError(file.Path, $"blob {file.BlobHex[..12]} is missing from the object store")); return; }
        var found = new List<Finding>();
        ContentResult r;
        try
        {
            r = scanner.Scan(stream, source with { BlobId = file.BlobHex }, found);
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
            if (repo == null) lines = readBlob?.Invoke(id) is { } bytes ? BlobText.Decode(bytes).Split('\n') : [];
            else lines = repo.Lookup<Blob>(new ObjectId(id)) is { } blob ? BlobText.Decode(blob).Split('\n') : [];
            _linesByBlob[id] = lines;
        }
        return f.Line >= 1 && f.Line <= lines.Length ? lines[f.Line - 1].TrimEnd('\r') : null;
    }
}
