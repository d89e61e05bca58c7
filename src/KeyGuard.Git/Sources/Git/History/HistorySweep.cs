using System.Diagnostics;
using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using KeyGuard.Sources.Git;
using LibGit2Sharp;

namespace KeyGuard.Sources.Git.History;

/// <summary>The sweep's result plus one-line notes for stderr (shallow clone, skipped submodules and LFS pointers).</summary>
internal sealed class HistorySweepResult
{
    public required ScanResult Result { get; init; }
    public List<string> Notes { get; } = [];
    public long LfsPointersSkipped { get; set; }
    /// <summary>Large text blobs scanned only where they changed since their predecessor, and the bytes that took.</summary>
    public long IncrementalBlobs { get; set; }
    public long BytesRescanned { get; set; }
    public List<string> SubmodulesSkipped { get; } = [];
    /// <summary>git diffed the trees and read the blobs (else libgit2 did); blobs git could not give were read by libgit2.</summary>
    public bool TreesDiffedByGit { get; set; }
    public bool BlobsReadByGit { get; set; }
    public long GitReadFallbacks { get; set; }
    /// <summary>Blobs the in-process pack pass scanned, and of those how many only where their delta changed them.</summary>
    public long PackBlobs { get; set; }
    public long PackDeltaScans { get; set; }

    /// <summary>Incremental sweeps: each ref that leads to a commit, and that commit.</summary>
    public Dictionary<string, string> Tips { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Incremental sweeps: the blobs and annotated tags scanned now; one that could not be read is left out,
    /// so a later run tries it again.</summary>
    public List<string> Scanned { get; } = [];
    /// <summary>Incremental sweeps, when some earlier tip is no longer reachable (force-push, deleted ref): every
    /// commit, blob and annotated tag the current refs still reach; else null.</summary>
    public HashSet<string>? Reachable { get; set; }
}

/// <summary>
/// Sweeps a repository's history: walks the selected commits (tree diffs only), scans each distinct blob once on
/// all cores while the walk goes on, scans every commit message, and reports each secret once with its life.
/// A corrupt object is a <see cref="ScanError"/> and the sweep goes on.
/// </summary>
internal sealed class HistorySweep(ContentScanner scanner, HistoryOptions options, Func<string, bool>? pathFilter = null)
{
    internal const int MaxSubmoduleDepth = 8;

    /// <summary>From this many commits an incremental sweep reads through git (tree diffs, blobs, the pack pass); below,
    /// through libgit2 alone, as the per-repository cost of starting git's readers outweighs what they save.</summary>
    internal static int GitReadersFromCommits { get; set; } = 500;   // tests lower it to exercise git's readers

    public static string? FindGitDir(string path)
    {
        // LibGit2Sharp's Discover finds nothing under NativeAOT; the locator's walk up does the same job.
        try { return Repository.Discover(Path.GetFullPath(path)) ?? Staged.GitRepositoryLocator.Discover(path); }
        catch (LibGit2SharpException) { return null; }
    }

    public HistorySweepResult Run() => Run(0);

    private HistorySweepResult Run(int depth)
    {
        var gitDir = FindGitDir(options.RepositoryPath)
                     ?? throw new InvalidInputException($"--history: {options.RepositoryPath}: not a git repository");
        var clock = Stopwatch.StartNew();
        if (Environment.GetEnvironmentVariable("KEYGUARD_HISTORY_NOCACHE") == "1") GlobalSettings.SetEnableCaching(false);
        // libgit2 re-hashes every object it reads (SHA-1 with collision detection): a fifth of a sweep's CPU. git
        // cat-file does not; a damaged object still fails to inflate and is reported as a scan error.
        if (Environment.GetEnvironmentVariable("KEYGUARD_VERIFY_HASHES") != "1") GlobalSettings.SetStrictHashVerification(false);
        LibGit2Limits.Apply();
        // SHA-256 repositories: libgit2 cannot open them; git walks and reads them instead.
        if (ObjectFormat.IsSha256(gitDir))
        {
            // Its walk keeps no tips or scanned ids: an incremental run would come back with nothing to remember.
            if (options.Since != null) throw new InvalidInputException($"{options.RepositoryPath}: incremental sweeps (org scans) need a SHA-1 repository; SHA-256 repositories are swept whole with scan --history");
            return new GitCliHistorySweep(scanner, options, pathFilter ?? (_ => true), gitDir).Run(depth, (o, d) => new HistorySweep(scanner, o, pathFilter).Run(d));
        }
        var result = new ScanResult();
        var outcome = new HistorySweepResult { Result = result };
        using var repo = OpenRepository(gitDir);
        gitDir = repo.Info.Path;   // the .git directory itself: what `git --git-dir` needs
        if (repo.Info.IsShallow)
            outcome.Notes.Add($"{options.RepositoryPath}: shallow clone: scanning the commits it has; older history is not in this clone");

        // Full sweeps read nearly every stored blob: scan the packs now, in their own order, while the walk runs.
        // KEYGUARD_PACK_READER=0 leaves every blob to git's reader (a way around the pack reader, should it misjudge).
        bool packPass = options.UseGit && options.ReadPacks && !options.Narrowed && !options.Rerun && Environment.GetEnvironmentVariable("KEYGUARD_PACK_READER") != "0";
        // An incremental sweep decides once it knows how many commits it takes (below).
        using var earlyPackScan = packPass && options.Since == null ? PackBlobScan.Start(gitDir, scanner, options.Threads) : null;
        // The progress line starts before anything else does: selection and the pack pass take seconds on large histories.
        var progress = new HistoryProgress(clock) { Packs = earlyPackScan };
        using var progressLine = new Progress(options.Progress, progress.Describe);
        var index = new HistoryIndex();
        int blobCount = -1;
        var odbCommits = new List<Commit>();
        var odbBlobs = new List<ObjectId>();
        var odbErrors = new List<(string, string)>();
        var odbTags = new List<TagAnnotation>();
        if (options.Unreachable)
            foreach (var obj in UnreachableObjects.Enumerate(repo, odbErrors))
                if (obj is Commit c) odbCommits.Add(c);
                else if (obj is Blob b) odbBlobs.Add(b.Id);
                else if (obj is TagAnnotation t) odbTags.Add(t);

        var selector = new CommitSelector(repo, options, odbCommits);
        var commits = selector.Select();
        progress.Index = index;
        progress.Commits = commits.Count;
        progress.Phase = "walking";
        outcome.Notes.AddRange(selector.Notes.Select(n => $"{options.RepositoryPath}: {n}"));
        double selectedSeconds = clock.Elapsed.TotalSeconds;
        // Incremental sweeps (org scans, many repositories one after another) of a small history: libgit2 alone costs
        // less than starting git's readers and the pack pass.
        bool useGit = options.UseGit && (options.Since == null || commits.Count >= GitReadersFromCommits);
        using var latePackScan = packPass && options.Since != null && useGit ? PackBlobScan.Start(gitDir, scanner, options.Threads) : null;
        var packScan = earlyPackScan ?? latePackScan;
        progress.Packs = packScan;
        var walker = new HistoryWalker(gitDir, index, pathFilter ?? (_ => true), useGit);
        var messageHits = new List<Hit>();
        var messageFindings = new List<Finding>();
        int walked = 0;
        double walkSeconds = 0;
        // With git installed, blobs the pack pass did not take are read after the walk, in the order git stores them,
        // and scanned whole (the byte gate makes that cheap); without it, libgit2 reads them during the walk and large
        // files are scanned where they changed against their previous version.
        // A rerun of an incremental sweep reads few blobs: listing the whole pack order would cost more than it saves.
        var packRanks = useGit && packScan == null && !options.Rerun ? PackOrder.Ranks(gitDir) : null;
        // Incremental sweeps: blobs earlier runs scanned are placed (the walk needs them as bases) but not read again.
        var scannedBefore = options.Since?.Scanned;
        var skipped = new HashSet<int>();
        var deferred = packRanks != null || packScan != null ? new List<BlobWork>() : null;
        // Nothing to walk (an incremental rerun with no new commit) starts no git reader.
        using (var blobs = new BlobScanner(scanner, gitDir, options.Threads, incremental: deferred == null,
                   useGit: useGit && (commits.Count > 0 || odbBlobs.Count > 0)))
        {
            progress.Blobs = blobs;
            {
                walker.Walk(commits,
                    (info, message) =>
                    {
                        walked++;
                        Volatile.Write(ref progress.Walked, walked);
                        ScanMessage(info, message, messageFindings, messageHits, result);
                    },
                    (record, baseBlob, baseId) =>
                    {
                        if (scannedBefore != null && scannedBefore.Contains(record.Id.Sha)) { skipped.Add(record.Index); return; }
                        // A base scanned in an earlier run has no findings in this one to pass on: scan the blob whole.
                        if (baseBlob >= 0 && skipped.Contains(baseBlob)) (baseBlob, baseId) = (-1, null);
                        if (deferred != null) deferred.Add(new BlobWork(record, SourceFor(record, index), baseBlob, baseId));
                        else blobs.Add(new BlobWork(record, SourceFor(record, index), baseBlob, baseId));
                    });
                walkSeconds = clock.Elapsed.TotalSeconds;
                if (packScan != null)
                {
                    progress.Phase = "waiting for the pack pass";
                    packScan.Wait();
                    progress.Phase = "placing the pack pass's blobs";
                    // What the pack pass scanned only needs its place; the rest (loose objects, anything it left) is read.
                    deferred = deferred!.Where(w => !TakeFromPacks(packScan, blobs, w)).ToList();
                    if (deferred.Count > 0) packRanks = PackOrder.Ranks(gitDir);
                    // Without pack order the rest goes in walk order, where scanning against the previous version pays.
                    blobs.Incremental = packRanks == null;
                }
                progress.Phase = "scanning the blobs left";
                if (deferred != null)
                    foreach (var work in packRanks == null ? (IEnumerable<BlobWork>)deferred : deferred.OrderBy(w => packRanks.TryGetValue(w.Blob.Id, out int r) ? r : int.MaxValue))
                        blobs.Add(work);
                // Blobs no scanned tree holds: only meaningful when nothing was narrowed away.
                if (options.Unreachable && !options.Narrowed)
                {
                    int unreachablePath = index.InternPath(HistoryFindings.UnreachableBlobPath);
                    foreach (var id in odbBlobs)
                        if (index.AddPlace(id, new BlobPlace(-1, unreachablePath)) is { } record)
                        {
                            var work = new BlobWork(record, SourceFor(record, index));
                            if (packScan == null || !TakeFromPacks(packScan, blobs, work)) blobs.Add(work);
                        }
                }
                blobs.Complete();
            }
            progressLine.Dispose();
            Collect(blobs, result, outcome);
            outcome.TreesDiffedByGit = walker.DiffedByGit;
            outcome.BlobsReadByGit = blobs.ReadByGit;
            outcome.GitReadFallbacks = blobs.GitFallbacks;
            outcome.PackBlobs = packScan?.BlobsSeen ?? 0;
            outcome.PackDeltaScans = packScan?.DeltaScanned ?? 0;
            bool timing = Environment.GetEnvironmentVariable("KEYGUARD_HISTORY_TIMING") == "1";
            if (timing)
            {
                var gc = GC.GetGCMemoryInfo();
                Console.Error.WriteLine($"timing: total {clock.Elapsed.TotalSeconds:0.0}s; commits selected at {selectedSeconds:0.00}s; walk done at {walkSeconds:0.0}s (trees diffed by {(walker.DiffedByGit ? "git diff-tree" : "libgit2")}); workers: read {Seconds(blobs.ReadTicks)}, " +
                                        $"scan {Seconds(blobs.ScanTicks)} (of which diff {Seconds(blobs.DiffTicks)}); incremental {blobs.IncrementalBlobs} blobs, " +
                                        $"{blobs.BytesRescanned / 1048576.0:0.0} MB rescanned; blobs read by {(blobs.ReadByGit ? $"git cat-file ({blobs.GitFallbacks} through libgit2)" : "libgit2")}; " +
                                        $"managed heap {gc.HeapSizeBytes >> 20} MB, committed {gc.TotalCommittedBytes >> 20} MB, " +
                                        $"allocated {GC.GetTotalAllocatedBytes() >> 20} MB" +
                                        (packScan == null ? "" : $"; pack pass {Seconds(packScan.ElapsedTicks)}: {packScan.BlobsSeen} blobs, {packScan.DeltaScanned} scanned where their delta changed them" +
                                                                 (packScan.Failure is { } pf ? $", stopped: {pf.Message}" : "")));
            }
            var blobHits = new DeltaInheritance(index, blobs.Deltas, b => SourceFor(b, index)).Resolve(blobs.Hits);
            // Annotated tags belong to whole-repository sweeps; a range or a branch names commits, not tags.
            if (!options.Narrowed) ScanTagMessages(repo, index, odbTags, messageFindings, messageHits, result, outcome);
            var hits = blobHits.Concat(messageHits).ToList();
            if (options.Since != null)
            {
                // Kept per object and place: the caller remembers them across runs.
                result.Findings.AddRange(hits.Select(h => h.Finding));
                outcome.Tips = selector.RefTips;
                var failed = blobs.FailedBlobs;
                outcome.Scanned.AddRange(index.Blobs.Where(b => !skipped.Contains(b.Index) && !failed.Contains(b.Id)).Select(b => b.Id.Sha));
                outcome.Reachable = LostHistory(repo, gitDir, options.Since.Tips, selector.RefTips.Values) ? Reachable(repo, gitDir, selector.RefTips.Values, result) : null;
                blobCount = index.Blobs.Count - skipped.Count;
            }
            else
            {
                var byBlob = HistoryFindings.FingerprintsByBlob(hits);
                var head = new HeadLine(repo, index).Track(byBlob);
                if (timing) Console.Error.WriteLine($"timing: head line at {clock.Elapsed.TotalSeconds:0.00}s");
                result.Findings.AddRange(new HistoryFindings(index, options.OccurrenceLimit).Build(hits, head));
            }
        }
        foreach (var (where, message) in odbErrors.Concat(selector.Errors).Concat(walker.Errors))
            result.Errors.Add(new ScanError(where, message));
        result.Stats.Commits += index.Commits.Count;
        result.Stats.Blobs += blobCount >= 0 ? blobCount : index.Blobs.Count;

        SweepSubmodules(repo, index, outcome, depth);
        result.Stats.DurationMs += clock.ElapsedMilliseconds;
        return outcome;
    }

    private static Repository OpenRepository(string gitDir)
    {
        try { return new Repository(gitDir); }
        catch (LibGit2SharpException e) { throw new InvalidInputException($"--history: {gitDir}: cannot open the repository: {UnreadableRepository.Explain(e, gitDir)}"); }
    }

    private void ScanMessage(CommitInfo info, string message, List<Finding> scratch, List<Hit> hits, ScanResult result)
    {
        scratch.Clear();
        var source = new Provenance(CommitMessages.Path, SourceKind.CommitMessage)
        {
            Commit = info.Sha, Author = info.Author, Email = info.Email, Date = info.Date,
        };
        try
        {
            var r = scanner.ScanText(message, source, scratch);
            result.Stats.SuppressedInline += r.Suppressed;
        }
        catch (RuleTimeoutException e)
        {
            result.Errors.Add(new ScanError($"{info.Sha}:{CommitMessages.Path}", e.Message));
        }
        foreach (var f in scratch) hits.Add(new Hit(f, -1, info.Index));
    }

    /// <summary>Each annotated tag's message (release notes are a classic place to paste a key), once per tag object:
    /// every tag a ref names, tags of tags, and with --unreachable the tag objects no ref names. An incremental sweep
    /// leaves out the tags earlier runs scanned.</summary>
    private void ScanTagMessages(Repository repo, HistoryIndex index, List<TagAnnotation> unreachable, List<Finding> scratch, List<Hit> hits,
        ScanResult result, HistorySweepResult outcome)
    {
        var seen = new HashSet<ObjectId>();
        // The selector reported damaged refs already.
        var tags = AnnotatedTags(repo, errors: null);
        tags.AddRange(unreachable);
        foreach (var annotation in tags)
        {
            if (!seen.Add(annotation.Id)) continue;
            if (options.Since?.Scanned.Contains(annotation.Sha) == true) continue;
            TagMessage tag;
            try { tag = TagMessage.Of(annotation, annotation.Sha); }
            catch (LibGit2SharpException e)
            {
                result.Errors.Add(new ScanError(annotation.Id.Sha, $"cannot read the annotated tag: {e.Message.Trim()}"));
                continue;
            }
            int commit = tag.Commit != null && index.CommitIndexById.TryGetValue(new ObjectId(tag.Commit), out int ci) ? ci : -1;
            // One whose scan failed is not remembered as scanned: the next run tries it again.
            if (ScanTagMessage(scanner, tag, commit, scratch, hits, result) && options.Since != null) outcome.Scanned.Add(tag.TagId);
        }
    }

    /// <summary>Scans one tag's message; its findings are hits at the tagged commit (-1: not one the sweep took).
    /// False when a rule timed out on it (an error in <paramref name="result"/>).</summary>
    internal static bool ScanTagMessage(ContentScanner scanner, TagMessage tag, int commit, List<Finding> scratch, List<Hit> hits, ScanResult result)
    {
        var source = tag.Source;
        scratch.Clear();
        bool whole = true;
        try { result.Stats.SuppressedInline += scanner.ScanText(tag.Text, source, scratch).Suppressed; }
        catch (RuleTimeoutException e) { result.Errors.Add(new ScanError(source.Path, e.Message)); whole = false; }
        foreach (var f in scratch) hits.Add(new Hit(f, -1, commit));
        return whole;
    }

    /// <summary>
    /// True when some earlier tip is no longer reachable from the current ones (force-push, a deleted branch or tag whose
    /// commits no other ref holds): only then can a finding become unreachable, so only then is reachability computed.
    /// </summary>
    private static bool LostHistory(Repository repo, string gitDir, IReadOnlyCollection<string> previous, IEnumerable<string> current)
    {
        var now = current.ToHashSet(StringComparer.Ordinal);
        var gone = previous.Where(p => !now.Contains(p)).Distinct().ToList();
        if (gone.Count == 0) return false;
        // An earlier tip that is gone or unreadable: reachability decides (and reports what it cannot read).
        if (gone.Any(s => { try { return repo.Lookup<Commit>(s) == null; } catch (LibGit2SharpException) { return true; } })) return true;
        var goneIds = gone.Select(s => new ObjectId(s)).ToList();
        var nowIds = now.Select(s => new ObjectId(s)).ToList();
        if (NativeRevWalk.Walk(gitDir, goneIds, nowIds, 1) is { } ids) return ids.Count > 0;
        return repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = goneIds, ExcludeReachableFrom = nowIds }).Any();
    }

    /// <summary>
    /// Every commit, blob (at any path) and annotated tag the current refs reach, found by the same walk. Null, with
    /// the errors in <paramref name="result"/>, when some object could not be read: an incomplete set would mark live
    /// findings resolved (their commits are behind the stored tips, so no later run would scan them again).
    /// </summary>
    private HashSet<string>? Reachable(Repository repo, string gitDir, IEnumerable<string> tips, ScanResult result)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        var tipIds = tips.Distinct().Select(s => new ObjectId(s)).ToList();
        var commits = NativeRevWalk.Walk(gitDir, tipIds, [], 0)
                      ?? repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = tipIds }).Select(c => c.Id).ToList();
        commits.Reverse();
        var index = new HistoryIndex();
        var walker = new HistoryWalker(gitDir, index, _ => true, options.UseGit && commits.Count >= GitReadersFromCommits);
        walker.Walk(commits, (info, _) => all.Add(info.Sha), (_, _, _) => { });
        foreach (var blob in index.Blobs) all.Add(blob.Id.Sha);
        var errors = walker.Errors.Select(e => new ScanError(e.Where, $"while checking what history still reaches: {e.Message}")).ToList();
        foreach (var tag in AnnotatedTags(repo, errors)) all.Add(tag.Sha);
        if (errors.Count == 0) return all;
        result.Errors.AddRange(errors);
        return null;
    }

    /// <summary>The annotated tags the refs point at, tags of tags included; a ref that cannot be read is an error.</summary>
    private static List<TagAnnotation> AnnotatedTags(Repository repo, List<ScanError>? errors)
    {
        var tags = new List<TagAnnotation>();
        try
        {
            foreach (var reference in repo.Refs)
            {
                try
                {
                    for (var target = reference.ResolveToDirectReference()?.Target; target is TagAnnotation tag; target = tag.Target)
                        tags.Add(tag);
                }
                catch (LibGit2SharpException e) { errors?.Add(new ScanError(reference.CanonicalName, $"cannot read the ref: {e.Message.Trim()}")); }
            }
        }
        catch (LibGit2SharpException e) { errors?.Add(new ScanError("refs", $"cannot list the refs: {e.Message.Trim()}")); }
        return tags;
    }

    internal static Provenance SourceFor(BlobRecord blob, HistoryIndex index)
    {
        var commit = blob.First.Commit >= 0 ? index.Commits[blob.First.Commit] : null;
        return new Provenance(index.PathOf(blob.First.Path), SourceKind.Commit)
        {
            Commit = commit?.Sha, Author = commit?.Author, Email = commit?.Email, Date = commit?.Date, BlobId = blob.Id.Sha,
        };
    }

    private static bool TakeFromPacks(PackBlobScan packScan, BlobScanner blobs, BlobWork work)
    {
        if (!packScan.TryTake(work.Blob.Id, out var result)) return false;
        blobs.Record(work, result);
        return true;
    }

    private static string Seconds(long ticks) => $"{ticks / (double)Stopwatch.Frequency:0.0}s";

    private static void Collect(BlobScanner blobs, ScanResult result, HistorySweepResult outcome)
    {
        var s = result.Stats;
        s.FilesScanned += blobs.BlobsScanned;
        s.BytesScanned += blobs.BytesScanned;
        s.BinarySkipped += blobs.BinarySkipped;
        s.SuppressedInline += blobs.SuppressedInline;
        result.BinaryFiles.AddRange(blobs.BinaryBlobs);
        outcome.LfsPointersSkipped += blobs.LfsSkipped;
        outcome.IncrementalBlobs += blobs.IncrementalBlobs;
        outcome.BytesRescanned += blobs.BytesRescanned;
        foreach (var (where, message) in blobs.Errors) result.Errors.Add(new ScanError(where, message));
    }

    /// <summary>Submodules are separate repositories: skipped and named, or swept when asked and checked out.</summary>
    private void SweepSubmodules(Repository repo, HistoryIndex index, HistorySweepResult outcome, int depth)
    {
        if (index.Submodules.Count == 0) return;
        var result = outcome.Result;
        if (!options.Submodules || depth >= MaxSubmoduleDepth)
        {
            outcome.SubmodulesSkipped.AddRange(index.Submodules.Keys.Order(StringComparer.Ordinal));
            outcome.Notes.Add($"skipped {index.Submodules.Count} submodule{(index.Submodules.Count == 1 ? "" : "s")} " +
                              $"({string.Join(", ", outcome.SubmodulesSkipped.Take(5))}{(index.Submodules.Count > 5 ? ", ..." : "")}); --submodules sweeps them");
            return;
        }
        foreach (var path in index.Submodules.Keys.Order(StringComparer.Ordinal))
        {
            var location = SubmoduleLocation(repo, path);
            if (location == null)
            {
                outcome.SubmodulesSkipped.Add(path);
                outcome.Notes.Add($"submodule {path}: not checked out, skipped");
                continue;
            }
            var inner = new HistorySweep(scanner, new HistoryOptions
            {
                RepositoryPath = location, Unreachable = options.Unreachable, Submodules = true,
                OccurrenceLimit = options.OccurrenceLimit, Threads = options.Threads, Progress = options.Progress,
                LibGit2Only = options.LibGit2Only,
            }, pathFilter).Run(depth + 1);
            Merge(outcome, inner, path);
        }
    }

    /// <summary>A submodule's sweep, its paths under the submodule's own path, added to the superproject's.</summary>
    internal static void Merge(HistorySweepResult outcome, HistorySweepResult inner, string path)
    {
        var result = outcome.Result;
        foreach (var f in inner.Result.Findings) result.Findings.Add(Prefixed(f, path));
        foreach (var e in inner.Result.Errors) result.Errors.Add(new ScanError($"{path}/{e.Path}", e.Message));
        var s = result.Stats; var t = inner.Result.Stats;
        s.Commits += t.Commits; s.Blobs += t.Blobs; s.FilesScanned += t.FilesScanned; s.BytesScanned += t.BytesScanned;
        s.BinarySkipped += t.BinarySkipped; s.SuppressedInline += t.SuppressedInline;
        outcome.LfsPointersSkipped += inner.LfsPointersSkipped;
        outcome.Notes.AddRange(inner.Notes.Select(n => $"submodule {path}: {n}"));
    }

    private static string? SubmoduleLocation(Repository repo, string path)
    {
        var candidates = new List<string>();
        if (!repo.Info.IsBare) candidates.Add(Path.Combine(repo.Info.WorkingDirectory, path));
        candidates.Add(Path.Combine(repo.Info.Path, "modules", path));
        foreach (var c in candidates)
            if (Directory.Exists(c) && FindGitDir(c) is { } gitDir && Path.GetFullPath(gitDir) != Path.GetFullPath(repo.Info.Path))
                return c;
        return null;
    }

    private static Finding Prefixed(Finding f, string prefix)
    {
        var copy = HistoryFindings.Rehome(f, f.Source with { Path = $"{prefix}/{f.Source.Path}" });
        foreach (var o in f.Occurrences) copy.Occurrences.Add(o with { Path = $"{prefix}/{o.Path}" });
        copy.History = f.History is { } h ? h with { Introduced = h.Introduced with { Path = $"{prefix}/{h.Introduced.Path}" } } : null;
        return copy;
    }
}
