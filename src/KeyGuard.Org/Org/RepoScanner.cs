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
internal sealed class RepoScanner(RepoSessions sessions, MirrorCache cache, long maxRepoBytes)
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
            // A missing or unreadable object is an error of that object, not of the repository: the rest is scanned
            // and reported, as scan --history does (ux review S15).
            var errors = new List<string>();
            var (setup, configFolder) = sessions.For(git, errors);
            try { return Scan(git, setup, repo, memory, runId, shard, errors, clock, blobsDone); }
            finally { if (configFolder != null) Directory.Delete(configFolder, recursive: true); }
        }
        catch (LibGit2SharpException e) { throw new OrgRepoException("corrupt or unreadable repository: " + OneLine(e.Message)); }
    }

    private RepoScanOutcome Scan(Repository git, ScanSetup setup, RepoSpec repo, RepoMemory memory, long runId, string shard, List<string> errors,
        Stopwatch clock, Action<long>? blobsDone)
    {
        {
            var walker = new ObjectWalker(git);
            var tips = walker.Tips();
            var commits = walker.NewCommits(tips.Values, memory.Tips.Values);
            bool lost = walker.LostHistory(memory.Tips.Values.ToList(), tips.Values.ToList());
            var scanned = new HashSet<string>(memory.ScannedBlobs, StringComparer.Ordinal);
            var blobs = walker.NewBlobs(commits, scanned, errors,
                setup.Walk.Include.Count + setup.Walk.Exclude.Count > 0 ? PathSelection.Of(setup.Walk) : null);

            var result = new ScanResult();
            foreach (var commit in commits) ScanMessage(setup, commit, result);
            var tags = ScanTagMessages(setup, git, scanned, result, errors);
            long done = 0;
            var unread = new HashSet<string>(StringComparer.Ordinal);
            foreach (var visit in blobs)
            {
                if (ScanBlob(setup, git, visit, result) is { } error)
                {
                    errors.Add(error);
                    unread.Add(visit.Id.Sha);
                }
                blobsDone?.Invoke(++done);
            }
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
                Tips = errors.Count == 0 ? tips : memory.Tips,
                ScannedBlobs = blobs.Select(b => b.Id.Sha).Where(sha => !unread.Contains(sha)).Concat(tags).ToList(),
                Errors = errors,
                Reachable = lost ? walker.Reachable(tips.Values) : null,
                Findings = result.Findings,
                Commits = commits.Count,
                Blobs = blobs.Count,
                Bytes = result.Stats.BytesScanned,
                DurationMs = clock.ElapsedMilliseconds,
            };
        }
    }

    /// <summary>
    /// Scans the messages of annotated tags not scanned before (tag objects are remembered with the scanned blobs), at
    /// the path and with the provenance scan --history and the push hooks give them. Returns the tags scanned.
    /// </summary>
    private static List<string> ScanTagMessages(ScanSetup setup, Repository git, HashSet<string> scanned, ScanResult result, List<string> errors)
    {
        var done = new List<string>();
        foreach (var reference in git.Refs.Where(r => r.CanonicalName.StartsWith("refs/tags/", StringComparison.Ordinal)))
        {
            try
            {
                for (var target = reference.ResolveToDirectReference()?.Target; target is TagAnnotation tag; target = tag.Target)
                {
                    if (!scanned.Add(tag.Sha)) continue;
                    GitObject obj = tag.Target;
                    while (obj is TagAnnotation inner) obj = inner.Target;
                    var source = new Provenance(TagMessages.PathFor(tag.Name), SourceKind.TagMessage)
                    {
                        Commit = (obj as Commit)?.Sha, Author = tag.Tagger?.Name, Email = tag.Tagger?.Email, Date = tag.Tagger?.When, BlobId = tag.Sha,
                    };
                    result.Stats.SuppressedInline += setup.Scanner.ScanText(tag.Message ?? "", source, result.Findings).Suppressed;
                    done.Add(tag.Sha);
                }
            }
            catch (LibGit2SharpException e) { errors.Add($"annotated tag {reference.CanonicalName} is unreadable: {OneLine(e.Message)}"); }
        }
        return done;
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

    private static void ScanMessage(ScanSetup setup, Commit commit, ScanResult result)
    {
        var source = Provenance(commit, CommitMessages.Path, SourceKind.CommitMessage);
        setup.Scanner.ScanText(commit.Message, source, result.Findings);
    }

    /// <summary>Scans one blob; returns the error when it is missing or unreadable, else null.</summary>
    private static string? ScanBlob(ScanSetup setup, Repository git, BlobVisit visit, ScanResult result)
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
