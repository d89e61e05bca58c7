using System.Diagnostics;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Sources.Git.History;
using LibGit2Sharp;

namespace KeyGuard.Org;

/// <summary>
/// Scans one repository of an org scan: prepare (clone/fetch or open), size check, the repository's scan session, then
/// the history sweep in its incremental mode (commits the earlier runs' tips do not reach, objects not scanned before),
/// and suppression. Returns the outcome; the caller writes it to the state.
/// </summary>
internal sealed class RepoScanner(RepoSessions sessions, MirrorCache cache, long maxRepoBytes, int jobs = 1)
{
    public RepoScanOutcome Scan(RepoSpec repo, RepoMemory memory, long runId, string shard)
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
            // A missing or unreadable object is an error of that object, not of the repository: the rest is scanned
            // and reported, as scan --history does (ux review S15).
            var errors = new List<string>();
            var (setup, configFolder) = sessions.For(git, errors);
            try { return Scan(git, setup, repo, memory, runId, shard, errors, clock); }
            finally { if (configFolder != null) Directory.Delete(configFolder, recursive: true); }
        }
        catch (LibGit2SharpException e) { throw new OrgRepoException("corrupt or unreadable repository: " + OneLine(e.Message)); }
        catch (InvalidInputException e) { throw new OrgRepoException(OneLine(e.Message)); }
    }

    private RepoScanOutcome Scan(Repository git, ScanSetup setup, RepoSpec repo, RepoMemory memory, long runId, string shard, List<string> errors,
        Stopwatch clock)
    {
        var sweep = new HistorySweep(setup.Scanner, new HistoryOptions
        {
            RepositoryPath = git.Info.Path,
            Since = new SweepMemory(memory.Tips.Values, memory.ScannedBlobs),
            // Repositories are scanned --jobs at a time: the cores are shared between them.
            Threads = Math.Max(1, Environment.ProcessorCount / Math.Max(1, jobs)),
        }, PathSelection.Narrowing(setup.Walk)).Run();
        var result = sweep.Result;
        // No ref leads to a commit that can be read: nothing of the repository was scanned, it failed as a whole.
        if (sweep.Tips.Count == 0 && result.Errors.Count > 0)
            throw new OrgRepoException("corrupt repository: " + OneLine($"{result.Errors[0].Path}: {result.Errors[0].Message}"));
        errors.AddRange(result.Errors.Select(e => OneLine($"{e.Path}: {e.Message}")));
        result.Errors.Clear();
        var linesByObject = new Dictionary<string, string[]?>(StringComparer.Ordinal);
        setup.Finish(result, f => LineText(git, f, linesByObject));
        return new RepoScanOutcome
        {
            Repo = repo.Identity,
            Location = repo.SafeLocation,
            RunId = runId,
            Shard = shard,
            // With errors the old tips stay: the next run walks these commits again and retries what was unreadable
            // (what was scanned now is skipped then).
            Tips = errors.Count == 0 ? sweep.Tips : memory.Tips,
            ScannedBlobs = sweep.Scanned,
            Errors = errors,
            Reachable = sweep.Reachable,
            Findings = result.Findings,
            Commits = result.Stats.Commits,
            Blobs = result.Stats.Blobs,
            Bytes = result.Stats.BytesScanned,
            DurationMs = clock.ElapsedMilliseconds,
        };
    }

    /// <summary>
    /// A finding's line as the blob or the message holds it, for line allowlists and .gitallowed. Each object is read
    /// and split once per repository (<paramref name="linesByObject"/>), however many findings it holds.
    /// </summary>
    private static string? LineText(Repository git, Finding f, Dictionary<string, string[]?> linesByObject)
    {
        var id = f.Source.Kind == SourceKind.CommitMessage ? f.Source.Commit : f.Source.BlobId;
        if (id == null) return null;
        if (!linesByObject.TryGetValue(id, out var lines))
        {
            try
            {
                string? text = f.Source.Kind switch
                {
                    SourceKind.CommitMessage => git.Lookup<Commit>(id)?.Message,
                    SourceKind.TagMessage => git.Lookup<TagAnnotation>(id)?.Message,
                    _ => git.Lookup<Blob>(id)?.GetContentText(),
                };
                lines = text?.Split('\n');
            }
            catch (LibGit2SharpException) { lines = null; }
            linesByObject[id] = lines;
        }
        return lines?.ElementAtOrDefault(f.Line - 1)?.TrimEnd('\r');
    }

    /// <summary>Bytes of the object store (git directory's objects/): what a clone costs, the measure --max-repo-mb limits.</summary>
    internal static long GitSize(string gitDir)
    {
        var objects = Path.Combine(gitDir, "objects");
        if (!Directory.Exists(objects)) return 0;
        return new DirectoryInfo(objects).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
    }

    internal static string OneLine(string s) => string.Join(' ', s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
