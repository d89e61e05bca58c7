using System.Text;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using KeyGuard.Sources.Git.History;
using KeyGuard.Sources.Git.Packs;

namespace KeyGuard.Tests.Git;

/// <summary>
/// The in-process pack pass must tell exactly the story git's reads and libgit2's tell: the same findings, lines,
/// pairs, introducers and occurrences, on repacked histories where large files are stored as deltas of each other.
/// </summary>
public sealed class PackScanTests : IDisposable
{
    private readonly HistoryRepo _repo = new();

    public void Dispose() => _repo.Dispose();

    /// <summary>Large files (600 KB), and small ones (60 KB: since issue 15 every text blob stored as a delta is
    /// scanned where the delta changed it, not only blobs of 128 KiB and more).</summary>
    [Theory]
    [InlineData(6000)]
    [InlineData(600)]
    public void RandomEditsToLargeFilesAgreeWithWholeScans(int lineCount)
    {
        // A generated model file edited in 40 commits: lines inserted, deleted, replaced, blocks moved and duplicated,
        // keys and secrets arriving and leaving next to edits (pairing within five lines), some allowed inline.
        var random = new Random(20261128);
        var lines = Enumerable.Range(0, lineCount).Select(i => Filler(random, i)).ToList();
        var keys = new List<string>();
        string Text() => string.Join("\n", lines) + "\n";
        for (int version = 0; version < 40; version++)
        {
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++) Edit(random, lines, keys);
            _repo.Write("models/api.json", Text());
            if (version % 7 == 3) _repo.Write("models/copy.json", Text());   // the same blob under another path, sometimes
            if (version % 5 == 0) _repo.Write($"src/small{version}.js", Filler(random, version) + "\n");
            _repo.Commit($"edit {version}");
        }
        _repo.Git("repack -adf -q --depth=50 --window=10");

        var (packed, sweep) = _repo.Sweep();
        var (whole, viaGit) = _repo.Sweep(new HistoryOptions { ReadPacks = false });
        var (walked, _) = _repo.Sweep(new HistoryOptions { LibGit2Only = true });

        Assert.True(sweep.PackBlobs > 40, $"pack pass scanned {sweep.PackBlobs} blobs");
        Assert.True(sweep.PackDeltaScans > 20, $"only {sweep.PackDeltaScans} blobs scanned where their delta changed them");
        Assert.True(sweep.BytesRescanned < sweep.Result.Stats.BytesScanned / (lineCount > 1000 ? 4 : 2), $"rescanned {sweep.BytesRescanned} of {sweep.Result.Stats.BytesScanned} bytes");
        Assert.Equal(0, viaGit.PackBlobs);
        Assert.True(keys.Count(k => packed.Findings.Any(f => f.Secret == k)) > 10, "the edits planted too few secrets");
        Assert.Equal(Describe(whole), Describe(packed));
        Assert.Equal(Describe(walked), Describe(packed));
        Assert.Equal(whole.Stats.BytesScanned, packed.Stats.BytesScanned);
        Assert.Equal(whole.Stats.FilesScanned, packed.Stats.FilesScanned);
    }

    /// <summary>
    /// The pack pass runs one lane per thread, each with the delta families (a blob and every delta built on it)
    /// dealt to it (issue 15: inflating and scanning were one thread's work, the sweep's floor). Any number of lanes
    /// finds what one does, delta-scanned as much.
    /// </summary>
    [Fact]
    public void AnyNumberOfPackLanesFindsWhatOneLaneFinds()
    {
        var random = new Random(20261206);
        var files = Enumerable.Range(0, 5).Select(f => Enumerable.Range(0, 3000).Select(i => Filler(random, i + f)).ToList()).ToList();
        var keys = new List<string>();
        for (int version = 0; version < 16; version++)
        {
            for (int f = 0; f < files.Count; f++)
            {
                if ((version + f) % 2 == 0) Edit(random, files[f], keys);
                _repo.Write($"models/api{f}.json", string.Join("\n", files[f]) + "\n");
            }
            _repo.Commit($"edit {version}");
        }
        _repo.Git("repack -adf -q --depth=50 --window=10");

        var (one, oneSweep) = _repo.Sweep(new HistoryOptions { Threads = 1 });
        Assert.True(oneSweep.PackDeltaScans > 10, $"only {oneSweep.PackDeltaScans} blobs delta-scanned");
        Assert.True(keys.Count(k => one.Findings.Any(f => f.Secret == k)) > 5, "the edits planted too few secrets");
        foreach (int lanes in new[] { 2, 3, 8 })
        {
            var (many, manySweep) = _repo.Sweep(new HistoryOptions { Threads = lanes });
            Assert.Equal(Describe(one), Describe(many));
            Assert.Equal(oneSweep.PackBlobs, manySweep.PackBlobs);
            Assert.Equal(oneSweep.PackDeltaScans, manySweep.PackDeltaScans);
            Assert.Equal(one.Stats.BytesScanned, many.Stats.BytesScanned);
        }
    }

    [Fact]
    public void LargeFileHistoryReadFromPacksKeepsLinesAndLife()
    {
        var key = _repo.NewKeyId();
        var lines = Enumerable.Range(1, 8000).Select(i => $"row {i:D5}, ordinary generated model data without credentials").ToList();
        lines[2999] = "legacy = " + key;
        string Text() => string.Join("\n", lines) + "\n";
        var c1 = _repo.Commit2(Text);
        lines.InsertRange(99, Enumerable.Range(0, 10).Select(i => $"inserted {i}"));
        var c2 = _repo.Commit2(Text);
        lines[6000] = "edited far away";
        var c3 = _repo.Commit2(Text);
        lines.RemoveAt(3009);
        var c4 = _repo.Commit2(Text);
        _repo.Git("gc -q");

        var (result, sweep) = _repo.Sweep();

        Assert.True(sweep.PackDeltaScans >= 2, $"{sweep.PackDeltaScans} delta scans");
        var f = Assert.Single(result.Findings, f => f.Secret == key);
        Assert.Equal(c1, f.Source.Commit);
        Assert.Equal([(c1, 3000), (c2, 3010), (c3, 3010)], f.Occurrences.Select(o => (o.Commit, o.Line)));
        Assert.Equal(c4, f.History!.RemovedIn);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CorruptPackedBlobIsAnErrorAndFindingsStayIntact(bool onlyItsChecksum)
    {
        var key = _repo.NewKeyId();
        _repo.Write("innocent.txt", string.Concat(Enumerable.Range(0, 2000).Select(i => $"just words number {i} soon to be damaged\n")));
        _repo.Write("creds.env", HistoryRepo.KeyLine(key));
        _repo.Commit("both");
        _repo.Git("repack -adq");
        var blob = _repo.Head("HEAD:innocent.txt");
        var pack = Directory.GetFiles(Path.Combine(_repo.Dir, ".git", "objects", "pack"), "*.pack").Single();
        // verify-pack lists "id type size size-in-pack offset"; damage the middle of the blob's compressed data, or
        // only its zlib Adler-32 trailer (the content inflates whole and right-sized: only the checksum tells).
        var entries = _repo.Git($"verify-pack -v {Path.ChangeExtension(pack, ".idx")}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 5 && p[0].Length == 40).Select(p => (Offset: long.Parse(p[4]), Id: p[0])).OrderBy(e => e.Offset).ToList();
        int at = entries.FindIndex(e => e.Id == blob);
        long start = entries[at].Offset, end = at + 1 < entries.Count ? entries[at + 1].Offset : new FileInfo(pack).Length - 20;
        File.SetAttributes(pack, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(pack);
        long from = onlyItsChecksum ? end - 4 : start + (end - start) / 2, to = onlyItsChecksum ? end : from + 16;
        for (long i = from; i < to; i++) bytes[i] ^= 0x5a;
        File.WriteAllBytes(pack, bytes);

        var (result, sweep) = _repo.Sweep();

        Assert.True(sweep.PackBlobs >= 1, "the pack pass did not run");
        Assert.Equal(3, result.ExitCode);
        var error = Assert.Single(result.Errors);
        Assert.Contains("innocent.txt", error.Path);
        Assert.Single(result.Findings, f => f.Secret == key);
    }

    [Fact]
    public void DeltaInstructionsRebuildTheTargetAndMergeContiguousCopiesAndInserts()
    {
        var baseBytes = Encoding.ASCII.GetBytes(new string('a', 70000) + "MIDDLE" + new string('b', 100));
        // sizes, then: copy 0..65536, copy 65536..70000 (contiguous: one run), insert "X", insert "Y", copy the tail from 70000.
        var delta = new List<byte>();
        void Varint(long v) { do { byte b = (byte)(v & 0x7f); v >>= 7; delta.Add(v > 0 ? (byte)(b | 0x80) : b); } while (v > 0); }
        Varint(baseBytes.Length);
        Varint(baseBytes.Length + 2);
        delta.AddRange([0x80 | 0x20, 0x00]);                                        // copy offset 0, size 0 → 65536
        delta.AddRange([0x80 | 0x01 | 0x02 | 0x04 | 0x10 | 0x20, 0x00, 0x00, 0x01, 0x70, 0x11]);   // copy offset 65536, size 4464
        delta.AddRange([0x01, (byte)'X']);
        delta.AddRange([0x01, (byte)'Y']);                                          // two inserts in a row: one run
        delta.AddRange([0x80 | 0x01 | 0x02 | 0x04 | 0x10, 0x70, 0x11, 0x01, 106]);   // copy offset 70000, size 106
        var target = new byte[baseBytes.Length + 2];
        var ops = new List<DeltaOp>();

        PackDelta.Apply(baseBytes, delta.ToArray(), target, ops);

        Assert.Equal(new string('a', 70000) + "XYMIDDLE" + new string('b', 100), Encoding.ASCII.GetString(target));
        Assert.Equal([new DeltaOp(0, 0, 70000), new DeltaOp(70000, -1, 2), new DeltaOp(70002, 70000, 106)], ops);
        var shortTarget = new byte[target.Length - 1];
        Assert.Throws<InvalidDataException>(() => PackDelta.Apply(baseBytes, delta.ToArray(), shortTarget, null));
    }

    private static string Filler(Random random, int i)
    {
        string[] words = ["token", "secret", "key", "session", "account", "value", "shape", "member", "documentation"];
        string W() => words[random.Next(words.Length)];
        return $"  \"{W()}{W()}{i}\": {{ \"shape\": \"{W()}Shape\", \"documentation\": \"The {W()} of the {W()}.\" }},";
    }

    private void Edit(Random random, List<string> lines, List<string> keys)
    {
        int at = random.Next(lines.Count);
        switch (random.Next(8))
        {
            case 0:   // a key arrives, maybe with its secret close by
                var key = _repo.NewKeyId();
                keys.Add(key);
                lines.Insert(at, $"    \"aws_access_key_id\": \"{key}\",");
                if (random.Next(2) == 0) lines.Insert(Math.Min(lines.Count, at + 1 + random.Next(8)), $"    aws_secret_access_key = {_repo.NewSecret()}");
                break;
            case 1:   // a secret alone, near whatever is there
                lines.Insert(at, $"    aws_secret_access_key = {_repo.NewSecret()}");
                break;
            case 2:   // an allowed key
                var allowed = _repo.NewKeyId();
                lines.Insert(at, $"    example = \"{allowed}\" # keyguard:allow");
                break;
            case 3:   // a block goes
                lines.RemoveRange(at, Math.Min(random.Next(1, 30), lines.Count - at));
                break;
            case 4:   // a block moves
                int n = Math.Min(random.Next(1, 200), lines.Count - at);
                var block = lines.GetRange(at, n);
                lines.RemoveRange(at, n);
                lines.InsertRange(random.Next(lines.Count), block);
                break;
            case 5:   // a block is duplicated
                lines.InsertRange(random.Next(lines.Count), lines.GetRange(at, Math.Min(random.Next(1, 50), lines.Count - at)));
                break;
            case 6:   // a line is rewritten in place (a key's line too, sometimes)
                lines[at] = random.Next(3) == 0 ? lines[at].Replace("\"", "'") : Filler(random, at);
                break;
            default:  // the line next to a key changes: its pair or allow comment may come or go
                int keyLine = lines.FindIndex(random.Next(lines.Count), l => l.Contains("aws_access_key_id"));
                if (keyLine < 0) goto case 6;
                lines.Insert(keyLine + 1 + random.Next(6), random.Next(2) == 0 ? $"    aws_secret_access_key = {_repo.NewSecret()}" : "    # keyguard:allow");
                break;
        }
    }

    /// <summary>Everything a report says about each finding, in a stable order.</summary>
    private static List<string> Describe(ScanResult result) => result.Findings.Select(f =>
        $"{f.RuleId} {f.Fingerprint} {f.Source.Commit} {f.Path}:{f.Line}:{f.Column}-{f.EndColumn} blob {f.Source.BlobId} " +
        $"paired [{string.Join(",", f.PairedWith.Order())}] " +
        $"occurrences [{string.Join(" ", f.Occurrences.Select(o => $"{o.Commit}:{o.Path}:{o.Line}"))}] " +
        $"history {f.History?.ToString() ?? "null"}").Order().ToList();
}

/// <summary>The pack reader's Adler-32 (vectorised) against zlib's own: the trailer .NET's zlib writes.</summary>
public sealed class Adler32Tests
{
    [Fact]
    public void The_sum_is_zlibs_for_every_length_around_the_chunks_and_blocks()
    {
        var r = new Random(5);
        var lengths = Enumerable.Range(1, 100).Concat([5535, 5536, 5537, 5552, 5553, 11072, 11073, 65536, 100_001]).Concat(Enumerable.Range(0, 30).Select(_ => r.Next(200, 40_000)));
        foreach (int length in lengths)
        {
            var data = new byte[length];
            // Runs of 0xFF test the sums' limits; random bytes the rest.
            if (length % 3 == 0) Array.Fill(data, (byte)0xFF); else r.NextBytes(data);
            var compressed = new MemoryStream();
            using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) z.Write(data);
            var trailer = compressed.ToArray()[^4..];
            uint expected = (uint)(trailer[0] << 24 | trailer[1] << 16 | trailer[2] << 8 | trailer[3]);
            Assert.True(expected == KeyGuard.Sources.Git.Packs.PackFile.Adler32(data), $"length {length}");
        }
    }
}
