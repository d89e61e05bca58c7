using KeyGuard.Findings;
using KeyGuard.Suppression;

namespace KeyGuard.Scanning;

/// <summary>A path that could not be scanned; the scan goes on and exits 3 at the end.</summary>
public sealed record ScanError(string Path, string Message);

internal sealed class ScanStats
{
    public long FilesScanned;
    public long BytesScanned;
    public long BinarySkipped;
    public long SymlinksSkipped;
    /// <summary>Sockets, named pipes and devices met inside a scanned tree.</summary>
    public long SpecialFilesSkipped;
    public long IgnoredByGit;
    public long SuppressedInline;
    public long SuppressedAllowlist;
    public long SuppressedBaseline;
    public long DurationMs;
    /// <summary>Git sweeps fill these.</summary>
    public long Commits;
    public long Blobs;
}

internal sealed class ScanResult
{
    public List<Finding> Findings { get; } = [];
    public List<ScanError> Errors { get; } = [];
    public ScanStats Stats { get; } = new();
    public List<string> BinaryFiles { get; } = [];
    public List<string> SkippedSymlinks { get; } = [];
    public List<BaselineEntry> BaselineUnseen { get; } = [];

    /// <summary>Stable order for every report (path, line, column, rule), whatever order parallel scanning found things in.</summary>
    public void Sort()
    {
        Findings.Sort(CompareFindings);
        Errors.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        BinaryFiles.Sort(string.CompareOrdinal);
        SkippedSymlinks.Sort(string.CompareOrdinal);
    }

    private static int CompareFindings(Finding a, Finding b)
    {
        int c = string.CompareOrdinal(a.Path, b.Path);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.Source.Commit ?? "", b.Source.Commit ?? "");
        if (c != 0) return c;
        c = a.Line.CompareTo(b.Line);
        if (c != 0) return c;
        c = a.Column.CompareTo(b.Column);
        return c != 0 ? c : string.CompareOrdinal(a.RuleId, b.RuleId);
    }
}
