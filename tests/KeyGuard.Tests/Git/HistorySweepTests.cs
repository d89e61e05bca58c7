using Xunit;
using KeyGuard.Findings;
using KeyGuard.Sources;
using KeyGuard.Sources.Git.History;

namespace KeyGuard.Tests.Git;

public sealed class HistorySweepTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose() => _repo.Dispose();

    private static Introduction Introduced(Finding f) => f.History!.Introduced;

    private static Finding Only(IEnumerable<Finding> findings, string keyId) => Assert.Single(findings, f => f.Secret == keyId);

    [Fact]
    public void SecretAddedThenRemovedHasItsWholeLife()
    {
        var removedKey = _repo.NewKeyId();
        var keptKey = _repo.NewKeyId();
        _repo.Write("README.md", "hello\n");
        _repo.Commit("initial");
        _repo.Write("config/app.ini", "[aws]\n" + HistoryRepo.KeyLine(removedKey));
        var added = _repo.Commit("add config");
        _repo.Write("notes.txt", HistoryRepo.KeyLine(keptKey));
        var keptAdded = _repo.Commit("add notes");
        _repo.Write("config/app.ini", "[aws]\nprofile = default\n");
        var removed = _repo.Commit("remove key");
        _repo.Write("README.md", "hello again\n");
        _repo.Commit("later");

        var (result, _) = _repo.Sweep();

        Assert.Equal(2, result.Findings.Count);
        var gone = Only(result.Findings, removedKey);
        Assert.Equal(added, gone.Source.Commit);
        Assert.Equal("config/app.ini", gone.Path);
        Assert.Equal(2, gone.Line);
        Assert.Equal(SourceKind.Commit, gone.Source.Kind);
        Assert.Equal(added, Introduced(gone).Commit);
        Assert.Equal("Tester", Introduced(gone).Author);
        Assert.Equal(2, Introduced(gone).Line);
        Assert.False(gone.History!.PresentAtHead);
        Assert.Equal(removed, gone.History!.RemovedIn);
        Assert.Equal(1, gone.History!.OccurrenceCount);

        var kept = Only(result.Findings, keptKey);
        Assert.Equal(keptAdded, kept.Source.Commit);
        Assert.True(kept.History!.PresentAtHead);
        Assert.Null(kept.History!.RemovedIn);
        Assert.Equal(5, result.Stats.Commits);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public void RenamedFileIsOneFindingWithTwoOccurrences()
    {
        var key = _repo.NewKeyId();
        _repo.Write("old/name.env", HistoryRepo.KeyLine(key));
        var first = _repo.Commit("add");
        _repo.Git("mv old/name.env new-name.env");
        var renamed = _repo.Commit("rename");

        var (result, _) = _repo.Sweep();

        var f = Assert.Single(result.Findings);
        Assert.Equal(first, f.Source.Commit);
        Assert.Equal("old/name.env", f.Path);
        Assert.Equal(2, f.History!.OccurrenceCount);
        Assert.Equal([(first, "old/name.env"), (renamed, "new-name.env")], f.Occurrences.Select(o => (o.Commit, o.Path)));
        Assert.True(f.History!.PresentAtHead);
        Assert.Equal(1, result.Stats.Blobs);
    }

    [Fact]
    public void SameBlobUnderTwoPathsIsOneFindingAndScannedOnce()
    {
        var key = _repo.NewKeyId();
        _repo.Write("a/creds", HistoryRepo.KeyLine(key));
        _repo.Write("b/creds-copy", HistoryRepo.KeyLine(key));
        _repo.Commit("two copies");

        var (result, _) = _repo.Sweep();

        var f = Assert.Single(result.Findings);
        Assert.Equal(2, f.History!.OccurrenceCount);
        Assert.Equal(["a/creds", "b/creds-copy"], f.Occurrences.Select(o => o.Path));
        Assert.Equal(1, result.Stats.Blobs);
        Assert.Equal(1, result.Stats.FilesScanned);
    }

    [Fact]
    public void UnmergedBranchAndTagOnlyCommitsAreSwept()
    {
        _repo.Write("README.md", "hello\n");
        _repo.Commit("initial");
        var branchKey = _repo.NewKeyId();
        _repo.Git("checkout -q -b feature");
        _repo.Write("feature.cfg", HistoryRepo.KeyLine(branchKey));
        var onBranch = _repo.Commit("feature work");
        _repo.Git("checkout -q main");
        var tagKey = _repo.NewKeyId();
        _repo.Git("checkout -q -b release-tmp");
        _repo.Write("release.cfg", HistoryRepo.KeyLine(tagKey));
        var tagged = _repo.Commit("release");
        _repo.Git("tag -a v1 -m release-tag");
        _repo.Git("checkout -q main");
        _repo.Git("branch -q -D release-tmp");

        var (result, _) = _repo.Sweep();

        var onFeature = Only(result.Findings, branchKey);
        Assert.Equal(onBranch, onFeature.Source.Commit);
        Assert.False(onFeature.History!.PresentAtHead);
        Assert.Null(onFeature.History!.RemovedIn);
        Assert.Equal(tagged, Only(result.Findings, tagKey).Source.Commit);
    }

    [Fact]
    public void MergeResolutionThatAddsASecretIsTheIntroducer()
    {
        var branchKey = _repo.NewKeyId();
        var mergeKey = _repo.NewKeyId();
        _repo.Write("app.cfg", "mode = base\n");
        _repo.Commit("base");
        _repo.Git("checkout -q -b side");
        _repo.Write("side.cfg", HistoryRepo.KeyLine(branchKey));
        _repo.Write("app.cfg", "mode = side\n");
        var sideCommit = _repo.Commit("side");
        _repo.Git("checkout -q main");
        _repo.Write("app.cfg", "mode = main\n");
        _repo.Commit("main");
        try { _repo.Git("merge -q --no-edit side"); } catch (InvalidOperationException) { /* conflict expected */ }
        _repo.Write("app.cfg", "mode = merged\n" + HistoryRepo.KeyLine(mergeKey));
        var merge = _repo.Commit("merge side");
        Assert.Equal(2, _repo.Git("rev-list --parents -n 1 HEAD").Trim().Split(' ').Length - 1);

        var (result, _) = _repo.Sweep();

        var resolved = Only(result.Findings, mergeKey);
        Assert.Equal(merge, resolved.Source.Commit);
        Assert.Equal(1, resolved.History!.OccurrenceCount);
        // The side branch's secret belongs to the side commit, not to the merge that brought it in.
        var fromSide = Only(result.Findings, branchKey);
        Assert.Equal(sideCommit, fromSide.Source.Commit);
        Assert.Equal(1, fromSide.History!.OccurrenceCount);
        Assert.True(fromSide.History!.PresentAtHead);
    }

    [Fact]
    public void DanglingCommitIsFoundOnlyWithUnreachable()
    {
        _repo.Write("README.md", "hello\n");
        _repo.Commit("initial");
        var key = _repo.NewKeyId();
        _repo.Write("oops.env", HistoryRepo.KeyLine(key));
        var dangling = _repo.Commit("oops");
        _repo.Git("reset -q --hard HEAD~1");
        _repo.Git("reflog expire --expire=now --all");

        var (plain, _) = _repo.Sweep();
        Assert.Empty(plain.Findings);

        var (deep, _) = _repo.Sweep(new HistoryOptions { Unreachable = true });
        var f = Only(deep.Findings, key);
        Assert.Equal(dangling, f.Source.Commit);
        Assert.False(f.History!.PresentAtHead);
    }

    [Fact]
    public void DanglingBlobIsFoundWithUnreachable()
    {
        _repo.Write("README.md", "hello\n");
        _repo.Commit("initial");
        var key = _repo.NewKeyId();
        _repo.Write("staged.env", HistoryRepo.KeyLine(key));
        _repo.Git("add staged.env");
        _repo.Git("rm -q --cached staged.env");

        var (deep, _) = _repo.Sweep(new HistoryOptions { Unreachable = true });

        var f = Only(deep.Findings, key);
        Assert.Equal(HistoryFindings.UnreachableBlobPath, f.Path);
        Assert.Null(f.Source.Commit);
    }

    [Fact]
    public void LargeFileReportsTheRightLineDeepInside()
    {
        var key = _repo.NewKeyId();
        _repo.Write("data/big.csv", HistoryRepo.BigText(60_000, 54_321, "value," + key));
        _repo.Commit("big data");

        var (result, _) = _repo.Sweep();

        Assert.True(new FileInfo(Path.Combine(_repo.Dir, "data/big.csv")).Length > 2 * 1024 * 1024);
        var f = Only(result.Findings, key);
        Assert.Equal(54_321, f.Line);
        Assert.Equal(7, f.Column);
    }

    [Fact]
    public void CommitMessageSecretIsReported()
    {
        var key = _repo.NewKeyId();
        _repo.Write("README.md", "hello\n");
        var commit = _repo.Commit($"deploy with key {key}");

        var (result, _) = _repo.Sweep();

        var f = Only(result.Findings, key);
        Assert.Equal(SourceKind.CommitMessage, f.Source.Kind);
        Assert.Equal("<commit message>", f.Path);
        Assert.Equal(commit, f.Source.Commit);
        Assert.Equal(1, f.Line);
    }

    [Fact]
    public void NarrowingOptionsLimitTheCommits()
    {
        var keys = new List<string>();
        var commits = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            keys.Add(_repo.NewKeyId());
            _repo.Write($"k{i}.cfg", HistoryRepo.KeyLine(keys[i]));
            commits.Add(_repo.Commit($"key {i}"));
        }
        _repo.Git("checkout -q -b other " + commits[2]);
        var otherKey = _repo.NewKeyId();
        _repo.Write("other.cfg", HistoryRepo.KeyLine(otherKey));
        _repo.Commit("other");
        _repo.Git("checkout -q main");

        string[] Found(HistoryOptions o) => _repo.Sweep(o).Result.Findings.Select(f => f.Secret).Order().ToArray();

        Assert.Equal(keys.Append(otherKey).Order(), Found(new HistoryOptions()));
        Assert.Equal(new[] { keys[2], keys[3] }.Order(), Found(new HistoryOptions { Range = $"{commits[1]}..{commits[3]}" }));
        Assert.Equal(new[] { keys[3], keys[4] }.Order(), Found(new HistoryOptions { Range = $"{commits[2]}.." }));
        Assert.Equal(new[] { keys[4], otherKey }.Order(), Found(new HistoryOptions { SinceCommit = commits[3] }));
        Assert.Equal(new[] { keys[3], keys[4], otherKey }.Order(), Found(new HistoryOptions { SinceCommit = commits[2] }));
        Assert.Equal(new[] { keys[3], keys[4] }.Order(), Found(new HistoryOptions { Branches = ["main"], MaxDepth = 2 }));
        Assert.Equal(new[] { keys[0], keys[1], keys[2], otherKey }.Order(), Found(new HistoryOptions { Branches = ["other"] }));
        Assert.Equal(keys.Order(), Found(new HistoryOptions { Branches = ["main"] }));
        Assert.Throws<InvalidInputException>(() => _repo.Sweep(new HistoryOptions { Branches = ["nope"] }));
        Assert.Throws<InvalidInputException>(() => _repo.Sweep(new HistoryOptions { Range = "nope..main" }));
    }

    [Fact]
    public void TreeDiffsSpanningSeveralGitProcessesMissNothing()
    {
        var keys = new List<string>();
        for (int i = 0; i < 9; i++)
        {
            var key = _repo.NewKeyId();
            keys.Add(key);
            _repo.Write($"dir{i % 3}/f{i}.env", HistoryRepo.KeyLine(key));
            _repo.Commit($"commit {i}");
        }
        var before = KeyGuard.Sources.Git.History.GitTreeDiffs.CommitsPerProcess;
        try
        {
            KeyGuard.Sources.Git.History.GitTreeDiffs.CommitsPerProcess = 2;
            var (result, sweep) = _repo.Sweep();
            Assert.True(sweep.TreesDiffedByGit);
            Assert.Equal(keys.Order(), result.Findings.Select(f => f.Secret).Order());
        }
        finally { KeyGuard.Sources.Git.History.GitTreeDiffs.CommitsPerProcess = before; }
    }

    [Fact]
    public void CorruptObjectIsAnErrorAndFindingsStayIntact()
    {
        var key = _repo.NewKeyId();
        _repo.Write("innocent.txt", "just some words that will be destroyed\n");
        _repo.Write("creds.env", HistoryRepo.KeyLine(key));
        _repo.Commit("both");
        var blob = _repo.Git("rev-parse HEAD:innocent.txt").Trim();
        var objectFile = Path.Combine(_repo.Dir, ".git", "objects", blob[..2], blob[2..]);
        File.SetAttributes(objectFile, FileAttributes.Normal);
        File.WriteAllBytes(objectFile, "this is not a zlib stream"u8.ToArray());

        var (result, sweep) = _repo.Sweep();

        Assert.Equal(3, result.ExitCode);
        // git cat-file gives up on the damaged object; libgit2 reads it (and the rest) and words the error.
        Assert.True(sweep.BlobsReadByGit && sweep.GitReadFallbacks >= 1, $"read by git: {sweep.BlobsReadByGit}, fallbacks {sweep.GitReadFallbacks}");
        var error = Assert.Single(result.Errors);
        Assert.Contains("innocent.txt", error.Path);
        Assert.Contains(blob, error.Message);
        Only(result.Findings, key);
    }

    [Fact]
    public void ShallowCloneAndBareRepositoryAreSwept()
    {
        var oldKey = _repo.NewKeyId();
        var newKey = _repo.NewKeyId();
        _repo.Write("old.cfg", HistoryRepo.KeyLine(oldKey));
        _repo.Commit("old");
        _repo.Write("old.cfg", "gone\n");
        _repo.Commit("drop");
        for (int i = 0; i < 3; i++) { _repo.Write("n.txt", $"{i}\n"); _repo.Commit($"filler {i}"); }
        _repo.Write("new.cfg", HistoryRepo.KeyLine(newKey));
        _repo.Commit("new");

        var shallow = Path.Combine(_repo.Root, "shallow");
        _repo.RunGit($"clone -q --depth 2 file://{_repo.Dir} {shallow}", _repo.Root);
        var (fromShallow, sweep) = _repo.Sweep(path: shallow);
        Assert.Contains(sweep.Notes, n => n.Contains("shallow clone"));
        Assert.Equal([newKey], fromShallow.Findings.Select(f => f.Secret));
        Assert.Equal(2, fromShallow.Stats.Commits);
        Assert.Equal(1, fromShallow.ExitCode);

        var bare = Path.Combine(_repo.Root, "bare.git");
        _repo.RunGit($"clone -q --bare {_repo.Dir} {bare}", _repo.Root);
        var (fromBare, _) = _repo.Sweep(path: bare);
        Assert.Equal(new[] { oldKey, newKey }.Order(), fromBare.Findings.Select(f => f.Secret).Order());
        Assert.Empty(fromBare.Errors);
    }

    [Fact]
    public void LfsPointersAndSubmodulesAreSkippedAndSaidSo()
    {
        var key = _repo.NewKeyId();
        _repo.Write("model.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n");
        _repo.Write("creds.env", HistoryRepo.KeyLine(key));
        var first = _repo.Commit("lfs and creds");
        _repo.Git($"update-index --add --cacheinfo 160000,{first},vendor/lib");
        _repo.Git("commit -q -m submodule");

        var (result, sweep) = _repo.Sweep();

        Assert.Equal(1, sweep.LfsPointersSkipped);
        Assert.Equal(["vendor/lib"], sweep.SubmodulesSkipped);
        Assert.Contains(sweep.Notes, n => n.Contains("submodule") && n.Contains("vendor/lib"));
        Only(result.Findings, key);
    }

    [Fact]
    public void OccurrencesAreBoundedButCounted()
    {
        var key = _repo.NewKeyId();
        for (int i = 0; i < 5; i++) _repo.Write($"copy{i}.env", HistoryRepo.KeyLine(key));
        _repo.Commit("copies");

        var (result, _) = _repo.Sweep(new HistoryOptions { OccurrenceLimit = 3 });

        var f = Assert.Single(result.Findings);
        Assert.Equal(3, f.Occurrences.Count);
        Assert.Equal(5, f.History!.OccurrenceCount);
    }

    [Fact]
    public void LargeFileEditedOverManyCommitsIsScannedIncrementallyWithShiftedLines()
    {
        var oldKey = _repo.NewKeyId();
        var newKey = _repo.NewKeyId();
        var secret = _repo.NewSecret();
        var lines = Enumerable.Range(1, 8000).Select(i => $"row {i:D5}, ordinary generated model data without credentials").ToList();
        lines[2999] = "legacy = " + oldKey;                      // line 3000
        string Text() => string.Join("\n", lines) + "\n";
        _repo.Write("models/big.txt", Text());
        var c1 = _repo.Commit("big");
        lines.InsertRange(99, Enumerable.Range(0, 10).Select(i => $"inserted {i}"));   // old key moves to 3010
        var c2 = _repo.Commit2(Text);
        lines[6000] = "edited far away";
        var c3 = _repo.Commit2(Text);
        lines[4000] = "aws_access_key_id = " + newKey;             // line 4001, paired with the secret below
        lines[4002] = "aws_secret_access_key = " + secret;         // line 4003
        var c4 = _repo.Commit2(Text);
        lines.RemoveAt(3009);                                       // the old key goes; the new pair moves up one line
        var c5 = _repo.Commit2(Text);

        // libgit2 reads in walk order and rescans only what changed; git reads in pack order and scans each version
        // whole behind the byte gate. Both must tell the same story.
        var (incremental, sweep) = _repo.Sweep(new HistoryOptions { LibGit2Only = true });
        Assert.Equal(4, sweep.IncrementalBlobs);
        Assert.True(sweep.BytesRescanned < 50_000, $"rescanned {sweep.BytesRescanned} bytes");
        var (whole, viaGit) = _repo.Sweep();
        Assert.True(viaGit.BlobsReadByGit && viaGit.TreesDiffedByGit);
        Assert.Equal(0, viaGit.IncrementalBlobs);
        // git reading in walk order (when it cannot list its pack order): incremental, like libgit2.
        KeyGuard.Sources.Git.History.PackOrder.Disabled = true;
        (KeyGuard.Scanning.ScanResult Result, HistorySweepResult Sweep) walkOrder;
        try { walkOrder = _repo.Sweep(); }
        finally { KeyGuard.Sources.Git.History.PackOrder.Disabled = false; }
        Assert.True(walkOrder.Sweep.BlobsReadByGit && walkOrder.Sweep.GitReadFallbacks == 0);
        Assert.Equal(4, walkOrder.Sweep.IncrementalBlobs);
        foreach (var result in new[] { incremental, whole, walkOrder.Result })
            AssertLargeFileHistory(result);

        void AssertLargeFileHistory(KeyGuard.Scanning.ScanResult result)
        {
        var old = Only(result.Findings, oldKey);
        Assert.Equal(c1, old.Source.Commit);
        Assert.Equal(3000, old.Line);
        Assert.Equal([(c1, 3000), (c2, 3010), (c3, 3010), (c4, 3010)], old.Occurrences.Select(o => (o.Commit, o.Line)));
        Assert.False(old.History!.PresentAtHead);
        Assert.Equal(c5, old.History!.RemovedIn);
        var fresh = Only(result.Findings, newKey);
        Assert.Equal(c4, fresh.Source.Commit);
        Assert.Equal([(c4, 4001), (c5, 4000)], fresh.Occurrences.Select(o => (o.Commit, o.Line)));
        Assert.True(fresh.History!.PresentAtHead);
        var pairedSecret = Only(result.Findings, secret);
        Assert.Equal(4003, pairedSecret.Line);
        Assert.Contains(fresh.Fingerprint, pairedSecret.PairedWith);
        }
    }

    [Fact]
    public void SubmodulesAreSweptOnlyWhenAsked()
    {
        var subDir = Path.Combine(_repo.Root, "lib-src");
        Directory.CreateDirectory(subDir);
        _repo.RunGit("init -q -b main", subDir);
        var key = _repo.NewKeyId();
        File.WriteAllText(Path.Combine(subDir, "creds.env"), HistoryRepo.KeyLine(key));
        _repo.RunGit("add -A", subDir);
        _repo.RunGit("-c user.name=Sub -c user.email=sub@example.com commit -q -m sub", subDir);
        _repo.Write("README.md", "hello\n");
        _repo.Commit("initial");
        _repo.Git($"-c protocol.file.allow=always submodule add -q {subDir} vendor/lib");
        _repo.Commit("add submodule");

        var (plain, plainSweep) = _repo.Sweep();
        Assert.Empty(plain.Findings);
        Assert.Equal(["vendor/lib"], plainSweep.SubmodulesSkipped);

        var (deep, deepSweep) = _repo.Sweep(new HistoryOptions { Submodules = true });
        var f = Only(deep.Findings, key);
        Assert.Equal("vendor/lib/creds.env", f.Path);
        Assert.Equal("vendor/lib/creds.env", Introduced(f).Path);
        Assert.Empty(deepSweep.SubmodulesSkipped);
    }
}
