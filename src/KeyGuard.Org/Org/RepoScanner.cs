using System.Diagnostics;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using KeyGuard.Sources;
using LibGit2Sharp;

namespace KeyGuard.Org;

/// <summary>
/// Scans one repository incrementally: prepare (clone/fetch or open), size check, new commits' messages and new
/// blobs through the shared engine, suppression, and the reachability check after a rewrite. Returns the outcome;
/// the caller writes it to the state.
/// </summary>
internal sealed class RepoScanner(ScanSetup setup, MirrorCache cache, long maxRepoBytes)
{
    public RepoScanOutcome Scan(RepoSpec repo, RepoMemory memory, long runId, string shard, Action<long>? blobsDone = null)
    {
        var clock = Stopwatch.StartNew();
        string gitDir;
        try { gitDir = cache.Prepare(repo); }
        catch (LibGit2SharpException e) { throw new OrgRepoException(OneLine(e.Message)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new OrgRepoException(OneLine(e.Message)); }

        try
        {
            using var git = new Repository(gitDir);
            if (maxRepoBytes > 0 && GitSize(git.Info.Path) is var size && size > maxRepoBytes)
                throw new OrgRepoException($"repository is {size / 1048576.0:N0} MB, over --max-repo-mb {maxRepoBytes / 1048576}");
            var walker = new ObjectWalker(git);
            var tips = walker.Tips();
            var commits = walker.NewCommits(tips.Values, memory.Tips.Values);
            bool lost = walker.LostHistory(memory.Tips.Values.ToList(), tips.Values.ToList());
            var scanned = new HashSet<string>(memory.ScannedBlobs, StringComparer.Ordinal);
            // A missing or unreadable object is an error of that object, not of the repository: the rest is scanned
            // and reported, as scan --history does (ux review S15).
            var errors = new List<string>();
            var blobs = walker.NewBlobs(commits, scanned, errors);

            var result = new ScanResult();
            foreach (var commit in commits) ScanMessage(commit, result);
            long done = 0;
            var unread = new HashSet<string>(StringComparer.Ordinal);
            foreach (var visit in blobs)
            {
                if (ScanBlob(git, visit, result) is { } error)
                {
                    errors.Add(error);
                    unread.Add(visit.Id.Sha);
                }
                blobsDone?.Invoke(++done);
            }
            setup.Finish(result, _ => null);
            return new RepoScanOutcome
            {
                Repo = repo.Identity,
                Location = repo.SafeLocation,
                RunId = runId,
                Shard = shard,
                // With errors the old tips stay: the next run walks these commits again and retries what was unreadable
                // (what was scanned now is skipped then).
                Tips = errors.Count == 0 ? tips : memory.Tips,
                ScannedBlobs = blobs.Select(b => b.Id.Sha).Where(sha => !unread.Contains(sha)).ToList(),
                Errors = errors,
                Reachable = lost ? walker.Reachable(tips.Values) : null,
                Findings = result.Findings,
                Commits = commits.Count,
                Blobs = blobs.Count,
                Bytes = result.Stats.BytesScanned,
                DurationMs = clock.ElapsedMilliseconds,
            };
        }
        catch (LibGit2SharpException e) { throw new OrgRepoException("corrupt or unreadable repository: " + OneLine(e.Message)); }
    }

    private void ScanMessage(Commit commit, ScanResult result)
    {
        var source = Provenance(commit, CommitMessages.Path, SourceKind.CommitMessage);
        setup.Scanner.ScanText(commit.Message, source, result.Findings);
    }

    /// <summary>Scans one blob; returns the error when it is missing or unreadable, else null.</summary>
    private string? ScanBlob(Repository git, BlobVisit visit, ScanResult result)
    {
        try
        {
            var blob = git.Lookup<Blob>(visit.Id);
            if (blob == null) return $"blob {visit.Id.Sha} of {visit.Path} is missing";
            using var content = blob.GetContentStream();
            var r = setup.Scanner.Scan(content, Provenance(visit.Commit, visit.Path, SourceKind.Commit) with { BlobId = visit.Id.Sha }, result.Findings);
            result.Stats.BytesScanned += r.Bytes;
            result.Stats.SuppressedInline += r.Suppressed;
            if (r.Binary) result.Stats.BinarySkipped++;
            return null;
        }
        catch (LibGit2SharpException e) { return $"blob {visit.Id.Sha} of {visit.Path} is unreadable: {OneLine(e.Message)}"; }
    }

    private static Provenance Provenance(Commit c, string path, SourceKind kind) => new(path, kind)
    {
        Commit = c.Sha,
        Author = c.Author.Name,
        Email = c.Author.Email,
        Date = c.Author.When,
    };

    /// <summary>Bytes of the object store (git directory's objects/): what a clone costs, the measure --max-repo-mb limits.</summary>
    internal static long GitSize(string gitDir)
    {
        var objects = Path.Combine(gitDir, "objects");
        if (!Directory.Exists(objects)) return 0;
        return new DirectoryInfo(objects).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
    }

    internal static string OneLine(string s) => string.Join(' ', s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
