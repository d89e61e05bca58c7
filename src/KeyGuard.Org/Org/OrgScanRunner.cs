using KeyGuard.Sources.Git;
using System.Collections.Concurrent;
using System.Diagnostics;
using KeyGuard.Scanning;

namespace KeyGuard.Org;

internal sealed class OrgRunOptions
{
    public int Jobs { get; init; } = 2;
    public long MaxRepoBytes { get; init; }
    public ShardSpec Shard { get; init; } = ShardSpec.All;
    public bool Restart { get; init; }
    public bool Progress { get; init; }
    /// <summary>Test hook (KEYGUARD_ORG_STOP_AFTER): end the process abruptly after this many repositories were written, as a kill would.</summary>
    public int StopAfter { get; init; }
}

internal sealed record OrgRunResult(long RunId, bool Resumed, int Selected, int Scanned, int Skipped, int Failed, long Blobs);

/// <summary>
/// Runs an org scan: the shard's repositories in parallel (bounded by --jobs), each scanned incrementally and written
/// to the state as soon as it finishes, so a killed run resumes with what is left. A failing repository is recorded
/// and the others go on.
/// </summary>
internal sealed class OrgScanRunner(RepoSessions sessions, OrgState state, MirrorCache cache, OrgEventLog log)
{
    public OrgRunResult Run(IReadOnlyList<RepoSpec> all, OrgRunOptions options)
    {
        var repos = all.Where(options.Shard.Contains).ToList();
        var shard = options.Shard.ToString();
        var (runId, resumed) = state.BeginRun(shard, options.Restart);
        var scanner = new RepoScanner(sessions, cache, options.MaxRepoBytes, options.Jobs);
        int done = 0, scanned = 0, skipped = 0, failed = 0, written = 0;
        long blobs = 0;
        var current = new ConcurrentDictionary<string, byte>();
        var clock = Stopwatch.StartNew();

        using (new Progress(options.Progress, () => Describe(done, repos.Count, current.Keys, clock.Elapsed)))
        {
            Parallel.ForEach(repos, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs) }, repo =>
            {
                if (!options.Restart && resumed && state.IsDone(repo.Identity, runId))
                {
                    Interlocked.Increment(ref skipped);
                    Interlocked.Increment(ref done);
                    log.Write(repo.Identity, "skipped-done");
                    return;
                }
                current[repo.Identity] = 0;
                log.Write(repo.Identity, "start");
                RepoScanOutcome? outcome = null;
                string? error = null;
                try { outcome = scanner.Scan(repo, state.LoadRepo(repo.Identity), runId, shard); }
                catch (Exception e) when (e is OrgRepoException or GitCommandException) { error = e.Message; }
                // Anything else a broken repository makes libgit2 or the file system throw is still that repository's problem.
                catch (Exception e) when (e is not OutOfMemoryException) { error = RepoScanner.OneLine(e.Message); }
                if (outcome != null)
                {
                    var (exposed, fresh) = state.SaveOutcome(outcome);
                    Interlocked.Increment(ref scanned);
                    Interlocked.Add(ref blobs, outcome.Blobs);
                    // The repository's exposed findings, not only what this (incremental) scan met: a rerun that read
                    // no new blob would otherwise report 0 for a repository that still leaks keys.
                    log.Write(repo.Identity, outcome.Errors.Count == 0 ? "done" : "partial", outcome.Blobs, exposed,
                        OrgState.ErrorSummary(outcome.Errors), newFindings: fresh);
                }
                else
                {
                    state.RecordFailure(repo, runId, shard, error!);
                    Interlocked.Increment(ref failed);
                    log.Write(repo.Identity, "failed", error: error);
                }
                current.TryRemove(repo.Identity, out _);
                Interlocked.Increment(ref done);
                if (options.StopAfter > 0 && Interlocked.Increment(ref written) >= options.StopAfter)
                {
                    log.Write(repo.Identity, "stop-after (test hook)");
                    Environment.Exit(137);
                }
            });
        }
        state.FinishRun(runId);
        return new OrgRunResult(runId, resumed, repos.Count, scanned, skipped, failed, blobs);
    }

    private static string Describe(int done, int total, IEnumerable<string> current, TimeSpan elapsed)
    {
        double rate = done / Math.Max(elapsed.TotalMinutes, 1e-6);
        var eta = done > 0 ? TimeSpan.FromMinutes((total - done) / rate) : (TimeSpan?)null;
        var now = string.Join(", ", current.Take(2).Select(c => c.Length > 40 ? "…" + c[^39..] : c));
        return $"repositories {done}/{total}, {rate:N1}/min, ETA {(eta is { } e ? e.ToString(@"hh\:mm\:ss") : "?")}  {now}";
    }
}
