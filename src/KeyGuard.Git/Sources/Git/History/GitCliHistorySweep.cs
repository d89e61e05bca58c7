using System.Collections.Concurrent;
using System.Diagnostics;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>
/// The history sweep for repositories libgit2 cannot open: SHA-256 object format (LibGit2Sharp's ObjectId is SHA-1
/// only). git walks (<see cref="GitLogWalk"/>) and reads objects (<see cref="GitObjectReader"/>); findings are built by
/// the same <see cref="HistoryFindings"/> and <see cref="HeadLine"/> as the libgit2 sweep, so reports carry the same
/// labels, with 64-digit commit and blob ids. Inside, each id is keyed by its first 20 bytes (an
/// <see cref="ObjectId"/>), the index's key type; the full id is what reports and git see.
/// What it cannot read is an error in the report, never a silent gap.
/// </summary>
internal sealed class GitCliHistorySweep(ContentScanner scanner, HistoryOptions options, Func<string, bool> pathFilter, string gitDir)
{
    private const string SubmoduleMode = "160000";
    private readonly HistoryIndex _index = new();
    private readonly Dictionary<int, string> _blobIds = [];
    /// <summary>Full ids of commits the index knows only by key: first parents outside the sweep, and HEAD.</summary>
    private readonly Dictionary<ObjectId, string> _outsideIds = [];
    private readonly List<Hit> _hits = [];
    private readonly object _gate = new();

    internal static ObjectId Key(string hex) => new(hex[..40]);

    public HistorySweepResult Run(int depth, Func<HistoryOptions, int, HistorySweepResult> sweepSubmodule)
    {
        var clock = Stopwatch.StartNew();
        var result = new ScanResult();
        var outcome = new HistorySweepResult { Result = result, TreesDiffedByGit = true, BlobsReadByGit = true };
        if (File.Exists(Path.Combine(gitDir, "shallow")))
            outcome.Notes.Add($"{options.RepositoryPath}: shallow clone: scanning the commits it has; older history is not in this clone");
        if (options.Unreachable)
            result.Errors.Add(new ScanError(options.RepositoryPath, "--unreachable: commits and blobs no ref reaches are not listed in SHA-256 repositories (libgit2 cannot read them); the reachable history was swept"));

        using var objects = new GitObjectReader(gitDir);
        var blobs = new List<BlobRecord>();
        Walk(blobs, result);
        ScanBlobs(objects, blobs, result, outcome);
        if (!options.Narrowed) ScanTagMessages(objects, result);

        var byBlob = HistoryFindings.FingerprintsByBlob(_hits);
        ObjectId? head = null;
        if (objects.Info("HEAD") is { Type: "commit" } tip) _outsideIds[head = Key(tip.Id)] = tip.Id;
        var states = new HeadLine(null, _index, head, FirstParentsFrom).Track(byBlob);
        result.Findings.AddRange(new HistoryFindings(_index, options.OccurrenceLimit).Build(_hits, states));
        result.Stats.Commits += _index.Commits.Count;
        result.Stats.Blobs += _index.Blobs.Count;
        Submodules(outcome, depth, sweepSubmodule);
        result.Stats.DurationMs += clock.ElapsedMilliseconds;
        return outcome;
    }

    private (List<string> Selection, List<string> Revisions) Selection()
    {
        var selection = new List<string>();
        var revisions = new List<string>();
        if (options.Range != null) revisions.Add(options.Range);
        else if (options.Branches.Count > 0) revisions.AddRange(options.Branches);
        else selection.Add("--all");
        if (options.SinceCommit != null) revisions.Add("^" + options.SinceCommit);
        if (options.MaxDepth > 0) selection.Add($"--max-count={options.MaxDepth}");
        return (selection, revisions);
    }

    private void Walk(List<BlobRecord> blobs, ScanResult result)
    {
        var (selection, revisions) = Selection();
        using var log = new GitLogWalk(gitDir, selection, revisions);
        var messageScratch = new List<Finding>();
        while (log.Next() is { } commit)
        {
            var info = Record(commit);
            ScanMessage(info, commit.Message, messageScratch, result);
            _index.FirstParentChanges.Add(Apply(commit, info, blobs, result));
        }
        var failure = log.OutOfStep ? "git log's output could not be read past this point" : null;
        if (log.Failure() is { } error)
        {
            // A revision the user named that git does not know is a usage error, as on SHA-1 repositories.
            if (options.Narrowed && _index.Commits.Count == 0 && (error.Contains("unknown revision", StringComparison.Ordinal)
                    || error.Contains("bad revision", StringComparison.Ordinal) || error.Contains("ambiguous argument", StringComparison.Ordinal)))
                throw new InvalidInputException($"--history: {options.RepositoryPath}: {error}");
            failure = error;
        }
        if (failure != null) result.Errors.Add(new ScanError(options.RepositoryPath, $"history walk stopped: {failure}"));
    }

    private CommitInfo Record(LoggedCommit commit)
    {
        var info = new CommitInfo(_index.Commits.Count, commit.Id, commit.Author, commit.Email, commit.Date);
        _index.Commits.Add(info);
        _index.CommitIndexById[Key(commit.Id)] = info.Index;
        var parents = commit.Parents;
        if (parents.Count > 0 && !_index.CommitIndexById.ContainsKey(Key(parents[0])))
        {
            _index.FirstParentsOutside[info.Index] = Key(parents[0]);
            _outsideIds[Key(parents[0])] = parents[0];
        }
        _index.FirstParents.Add(parents.Count > 0 && _index.CommitIndexById.TryGetValue(Key(parents[0]), out int p) ? p : -1);
        return info;
    }

    /// <summary>The first-parent line from a commit the sweep did not take (HEAD on an unswept branch, a range's
    /// edge), as <c>git rev-list --first-parent</c> gives it; empty where git cannot walk it.</summary>
    private IEnumerable<ObjectId> FirstParentsFrom(ObjectId commit)
    {
        if (!_outsideIds.TryGetValue(commit, out var id)) return [];
        var psi = SafeGit.StartInfo(null, ["--git-dir", gitDir, "rev-list", "--first-parent", id]);
        using var git = Process.Start(psi);
        if (git == null) return [];
        var errors = git.StandardError.ReadToEndAsync();
        var ids = new List<ObjectId>();
        while (git.StandardOutput.ReadLine() is { Length: 40 or 64 } line) ids.Add(Key(line));
        git.WaitForExit();
        _ = errors.Result;
        return ids;
    }

    private void ScanMessage(CommitInfo info, string message, List<Finding> scratch, ScanResult result)
    {
        scratch.Clear();
        var source = new Provenance(CommitMessages.Path, SourceKind.CommitMessage)
        {
            Commit = info.Sha, Author = info.Author, Email = info.Email, Date = info.Date,
        };
        try { result.Stats.SuppressedInline += scanner.ScanText(message, source, scratch).Suppressed; }
        catch (RuleTimeoutException e) { result.Errors.Add(new ScanError($"{info.Sha}:{CommitMessages.Path}", e.Message)); }
        foreach (var f in scratch) _hits.Add(new Hit(f, -1, info.Index));
    }

    /// <summary>As <see cref="HistoryWalker"/>: the (blob, path) pairs a commit adds; a merge adds a pair only when no
    /// other parent already had that blob at that path.</summary>
    private PathChange[] Apply(LoggedCommit commit, CommitInfo info, List<BlobRecord> blobs, ScanResult result)
    {
        var changes = new List<PathChange>();
        GitObjectReader? parentTrees = null;
        try
        {
            foreach (var change in commit.Changes)
            {
                if (change.NewId != null && Convert.ToString(change.NewMode, 8) == SubmoduleMode) _index.Submodules[change.Path] = change.NewId;
                bool newIsFile = change.NewId != null && IsFile(change.NewMode);
                bool oldIsFile = change.OldId != null && IsFile(change.OldMode);
                if ((!newIsFile && !oldIsFile) || !pathFilter(change.Path)) continue;
                int path = _index.InternPath(change.Path);
                if (newIsFile && !(commit.Parents.Count > 1 && FromOtherParent(commit, change, ref parentTrees, result)))
                {
                    if (_index.AddPlace(Key(change.NewId!), new BlobPlace(info.Index, path)) is { } fresh)
                    {
                        _blobIds[fresh.Index] = change.NewId!;
                        blobs.Add(fresh);
                    }
                }
                int oldBlob = oldIsFile ? _index.BlobIndexOf(Key(change.OldId!)) : -1;
                int newBlob = newIsFile ? _index.BlobIndexOf(Key(change.NewId!)) : -1;
                if (oldBlob >= 0 || newBlob >= 0) changes.Add(new PathChange(path, oldBlob, newBlob));
            }
        }
        finally { parentTrees?.Dispose(); }
        return changes.ToArray();
    }

    private bool FromOtherParent(LoggedCommit commit, LoggedChange change, ref GitObjectReader? reader, ScanResult result)
    {
        if (_index.BlobIndexOf(Key(change.NewId!)) < 0) return false;
        try
        {
            reader ??= new GitObjectReader(gitDir);
            for (int i = 1; i < commit.Parents.Count; i++)
                if (reader.Info($"{commit.Parents[i]}:{change.Path}")?.Id == change.NewId) return true;
        }
        catch (IOException e) { result.Errors.Add(new ScanError(commit.Id, $"cannot read a parent of the merge: {e.Message}")); }
        return false;
    }

    private static bool IsFile(int mode) => Convert.ToString(mode, 8) is "100644" or "100755" or "100664";

    /// <summary>git reads the blobs one after another; workers scan them.</summary>
    private void ScanBlobs(GitObjectReader objects, List<BlobRecord> blobs, ScanResult result, HistorySweepResult outcome)
    {
        using var queue = new BlockingCollection<(BlobRecord Blob, byte[] Bytes)>(boundedCapacity: 64);
        long scanned = 0, bytes = 0, binary = 0, lfs = 0, suppressed = 0;
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            var local = new List<Finding>();
            foreach (var (blob, content) in queue.GetConsumingEnumerable())
            {
                var source = SourceFor(blob);
                if (LfsPointer.Is(content)) { Interlocked.Increment(ref lfs); continue; }
                local.Clear();
                ContentResult r;
                try { r = scanner.ScanWhole(content, source, local); }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    lock (_gate) result.Errors.Add(new ScanError(Where(source), $"blob {_blobIds[blob.Index]}: {e.Message.Trim()}"));
                    continue;
                }
                Interlocked.Add(ref bytes, r.Bytes);
                if (r.Binary)
                {
                    Interlocked.Increment(ref binary);
                    lock (_gate) result.BinaryFiles.Add(Where(source));
                    continue;
                }
                Interlocked.Increment(ref scanned);
                Interlocked.Add(ref suppressed, r.Suppressed);
                lock (_gate) foreach (var f in local) _hits.Add(new Hit(f, blob.Index, -1));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        try
        {
            foreach (var blob in blobs)
            {
                var id = _blobIds[blob.Index];
                RawGitObject? read;
                try { read = objects.Read(id); }
                catch (IOException e)
                {
                    lock (_gate) result.Errors.Add(new ScanError(Where(SourceFor(blob)), $"blob {id}: {e.Message}"));
                    break;   // git stopped answering: every later blob would fail the same way
                }
                if (read is not { Type: "blob" })
                {
                    lock (_gate) result.Errors.Add(new ScanError(Where(SourceFor(blob)), $"blob {id}: missing from the object database"));
                    continue;
                }
                queue.Add((blob, read.Content));
            }
        }
        finally
        {
            queue.CompleteAdding();
            Task.WaitAll(workers);
        }
        var s = result.Stats;
        s.FilesScanned += scanned;
        s.BytesScanned += bytes;
        s.BinarySkipped += binary;
        s.SuppressedInline += suppressed;
        outcome.LfsPointersSkipped += lfs;
    }

    private Provenance SourceFor(BlobRecord blob) => HistorySweep.SourceFor(blob, _index) with { BlobId = _blobIds[blob.Index] };

    private static string Where(Provenance source) => source.Commit != null ? $"{source.Commit[..12]}:{source.Path}" : source.Path;

    /// <summary>Each annotated tag's message, once per tag object: every tag a ref names, and tags of tags.</summary>
    private void ScanTagMessages(GitObjectReader objects, ScanResult result)
    {
        var refs = new List<string>();
        var psi = SafeGit.StartInfo(null, ["--git-dir", gitDir, "for-each-ref", "--format=%(objecttype) %(objectname)"]);
        using (var git = Process.Start(psi) ?? throw new IOException("git did not start"))
        {
            var errors = git.StandardError.ReadToEndAsync();
            while (git.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith("tag ", StringComparison.Ordinal)) refs.Add(line[4..]);
            git.WaitForExit();
            if (git.ExitCode != 0)
                result.Errors.Add(new ScanError(options.RepositoryPath, $"cannot list the annotated tags: {errors.Result.Split('\n')[0].Trim()}"));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var scratch = new List<Finding>();
        foreach (var first in refs)
        {
            foreach (var tag in TagMessage.Chain(objects.Read, first, first,
                         missing: id => result.Errors.Add(new ScanError(id, "cannot read the annotated tag: missing from the object database"))))
            {
                if (!seen.Add(tag.TagId)) continue;
                int commit = tag.Commit != null && _index.CommitIndexById.TryGetValue(Key(tag.Commit), out int ci) ? ci : -1;
                HistorySweep.ScanTagMessage(scanner, tag, commit, scratch, _hits, result);
            }
        }
    }

    /// <summary>Submodules are separate repositories: skipped and named, or swept when asked and checked out.</summary>
    private void Submodules(HistorySweepResult outcome, int depth, Func<HistoryOptions, int, HistorySweepResult> sweep)
    {
        if (_index.Submodules.Count == 0) return;
        var paths = _index.Submodules.Keys.Order(StringComparer.Ordinal).ToList();
        if (!options.Submodules || depth >= HistorySweep.MaxSubmoduleDepth)
        {
            outcome.SubmodulesSkipped.AddRange(paths);
            outcome.Notes.Add($"skipped {paths.Count} submodule{(paths.Count == 1 ? "" : "s")} " +
                              $"({string.Join(", ", paths.Take(5))}{(paths.Count > 5 ? ", ..." : "")}); --submodules sweeps them");
            return;
        }
        var trimmed = Path.TrimEndingDirectorySeparator(gitDir);
        var workTree = Path.GetFileName(trimmed) == ".git" ? Path.GetDirectoryName(trimmed) : null;
        foreach (var path in paths)
        {
            var location = new[] { workTree == null ? null : Path.Combine(workTree, path), Path.Combine(gitDir, "modules", path) }
                .FirstOrDefault(c => c != null && Directory.Exists(c) && HistorySweep.FindGitDir(c) is { } g
                                     && Path.GetFullPath(g) != Path.GetFullPath(gitDir));
            if (location == null)
            {
                outcome.SubmodulesSkipped.Add(path);
                outcome.Notes.Add($"submodule {path}: not checked out, skipped");
                continue;
            }
            var inner = sweep(new HistoryOptions
            {
                RepositoryPath = location, Unreachable = options.Unreachable, Submodules = true,
                OccurrenceLimit = options.OccurrenceLimit, Threads = options.Threads, Progress = options.Progress,
                LibGit2Only = options.LibGit2Only,
            }, depth + 1);
            HistorySweep.Merge(outcome, inner, path);
        }
    }
}
