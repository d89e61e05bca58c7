using System.Diagnostics;
using System.Text;
using KeyGuard.Detection;
using KeyGuard.Scanning;
using KeyGuard.Sources;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Scan;

/// <summary>
/// Whole-file reads (raw system calls and .NET's route must agree byte for byte) and the parallel walk (any number
/// of threads finds the same files and findings as one).
/// </summary>
public sealed class FileScanTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCredentials _fake = new(77);

    public void Dispose() => _dir.Dispose();

    public static TheoryData<bool> Routes() => OperatingSystem.IsLinux() ? new() { true, false } : new() { false };

    [Theory]
    [MemberData(nameof(Routes))]
    public void Files_of_every_size_around_the_buffer_read_whole_or_say_they_are_too_large(bool raw)
    {
        const int capacity = 4096;
        var random = new Random(5);
        foreach (int size in new[] { 0, 1, 100, capacity - 1, capacity, capacity + 1, 3 * capacity })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            var path = _dir.WriteBytes($"f{size}.bin", bytes);
            var buffer = new byte[capacity];
            var outcome = WholeFileReader.Read(path, buffer, raw, out int length, out string? error);
            Assert.Null(error);
            if (size < capacity)
            {
                Assert.Equal(WholeRead.Read, outcome);
                Assert.Equal(bytes, buffer[..length]);
            }
            else
            {
                Assert.Equal(WholeRead.TooLarge, outcome);
                Assert.Equal(bytes[..capacity], buffer);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void A_missing_file_is_a_one_line_reason_not_an_exception(bool raw)
    {
        var outcome = WholeFileReader.Read(Path.Combine(_dir.Path, "gone.txt"), new byte[64], raw, out _, out string? error);
        Assert.Equal(WholeRead.Failed, outcome);
        Assert.Equal("vanished during the scan", error);
    }

    [Fact]
    public async Task A_directory_or_a_named_pipe_given_as_a_file_fails_or_reads_empty_without_hanging()
    {
        if (!OperatingSystem.IsLinux()) return;
        var outcome = WholeFileReader.Read(_dir.Path, new byte[64], raw: true, out _, out string? error);
        Assert.Equal(WholeRead.Failed, outcome);
        Assert.Equal("is a directory", error);

        var fifo = Path.Combine(_dir.Path, "pipe");
        using (var mk = Process.Start("mkfifo", fifo)) mk.WaitForExit();
        // WaitAsync throws TimeoutException if reading a named pipe with no writer hangs.
        Assert.True(await Task.Run(() => WholeFileReader.Read(fifo, new byte[64], raw: true, out int n, out _) == WholeRead.Read && n == 0)
            .WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_batch_reads_what_the_file_by_file_route_reads_and_names_each_failure()
    {
        using var batch = BatchFileReader.TryCreate();
        if (batch == null) return;   // no io_uring here: the file-by-file route is the only one, tested above
        var random = new Random(3);
        var names = new List<string>();
        var expected = new Dictionary<string, byte[]>();
        foreach (int size in new[] { 0, 1, 4095, 4096, BatchFileReader.SlotBytes - 1, BatchFileReader.SlotBytes, BatchFileReader.SlotBytes + 1, 900_000 })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            var name = $"s{size}.bin";
            _dir.WriteBytes(name, bytes);
            names.Add(name);
            expected[name] = bytes;
        }
        Directory.CreateDirectory(Path.Combine(_dir.Path, "sub"));
        names.AddRange(["gone.txt", "sub"]);
        using var mk = Process.Start("mkfifo", Path.Combine(_dir.Path, "pipe"));
        mk.WaitForExit();
        names.Add("pipe");
        // More than one batch, and the same slots used again.
        while (names.Count < 2 * BatchFileReader.Slots + 3) { var n = $"pad{names.Count}.txt"; _dir.Write(n, n); expected[n] = Encoding.UTF8.GetBytes(n); names.Add(n); }

        using var directory = OpenDirectory.TryOpen(_dir.Path)!;
        var reads = new BatchRead[BatchFileReader.Slots];
        for (int start = 0; start < names.Count; start += BatchFileReader.Slots)
        {
            var chunk = names.Skip(start).Take(BatchFileReader.Slots).ToArray();
            // A batch that hangs fails the test with a TimeoutException.
            Assert.True(await Task.Run(() => batch.Read(directory.Fd, chunk, reads)).WaitAsync(TimeSpan.FromSeconds(20)));
            for (int i = 0; i < chunk.Length; i++)
            {
                var r = reads[i];
                switch (chunk[i])
                {
                    case "gone.txt": Assert.Equal("vanished during the scan", WholeFileReader.Describe(r.Errno)); break;
                    case "sub": Assert.Equal("is a directory", WholeFileReader.Describe(r.Errno)); break;
                    case "pipe": Assert.Equal(new BatchRead(0, 0, false), r); break;
                    default:
                        var want = expected[chunk[i]];
                        Assert.Equal(0, r.Errno);
                        Assert.Equal(want.Length >= BatchFileReader.SlotBytes, r.TooLarge);
                        Assert.Equal(want.AsSpan(0, Math.Min(want.Length, BatchFileReader.SlotBytes)).ToArray(), batch.Data(i, r.Length).ToArray());
                        break;
                }
            }
        }
    }

    [Fact]
    public void Scans_with_and_without_io_uring_report_the_same()
    {
        var keys = PlantTree();
        _dir.WriteBytes("big/large.txt", Encoding.ASCII.GetBytes(new string('x', BatchFileReader.SlotBytes + 10) + "\naws_access_key_id = " + keys[0] + "\n"));
        _dir.WriteBytes("big/bin.dat", [0, 1, 2, .. Encoding.ASCII.GetBytes(keys[1])]);
        var ring = KeyGuardProcess.Run(_dir.Path, null, "scan", ".", "--format", "json", "--no-ignore");
        var plain = KeyGuardProcess.Run(_dir.Path, null, new Dictionary<string, string> { ["KEYGUARD_IO_URING"] = "0" }, "scan", ".", "--format", "json", "--no-ignore");
        Assert.Equal(1, ring.ExitCode);
        var a = System.Text.Json.JsonDocument.Parse(ring.Stdout).RootElement;
        var b = System.Text.Json.JsonDocument.Parse(plain.Stdout).RootElement;
        Assert.Equal(b.GetProperty("findings").GetRawText(), a.GetProperty("findings").GetRawText());
        Assert.Equal(keys.Count + 1, a.GetProperty("findings").GetArrayLength());
        foreach (var stat in new[] { "filesScanned", "bytesScanned", "binarySkipped", "errors" })
            Assert.Equal(b.GetProperty("stats").GetProperty(stat).GetInt64(), a.GetProperty("stats").GetProperty(stat).GetInt64());
    }

    [Fact]
    public void Walked_files_are_read_by_name_in_their_open_directory_and_by_full_path_once_it_is_closed()
    {
        _dir.Write("a/b/c.txt", "inside\n");
        var handed = new List<WalkedFile>();
        new FileWalker(new WalkOptions()).Walk([_dir.Path], 1, (thread, f) =>
        {
            if (WholeFileReader.Raw)
            {
                Assert.NotNull(f.Directory);
                Assert.Equal("c.txt", f.Name);
                // Proof that the name, not the full path, is what gets opened: a directory path that does not exist.
                var elsewhere = new WalkedFile(Path.Combine(_dir.Path, "nowhere"), "x", "", "c.txt", f.Directory);
                Assert.Equal(WholeRead.Read, WholeFileReader.Read(elsewhere, new byte[64], out int n, out _));
                Assert.Equal(7, n);
                Assert.Equal(Path.Combine(_dir.Path, "a", "b", "c.txt"), f.FullPath);
                Assert.Equal(_dir.Path + "/a/b/c.txt", f.DisplayPath);
            }
            handed.Add(f);
        });
        var file = Assert.Single(handed);
        // After the hand-over the directory is closed: the full path is used.
        Assert.Equal(WholeRead.Read, WholeFileReader.Read(file, new byte[64], out int length, out _));
        Assert.Equal(7, length);
        Assert.Equal(WholeRead.Failed, WholeFileReader.Read(new WalkedFile(file.FullPath + ".gone", "gone"), new byte[64], out _, out string? error));
        Assert.Equal("vanished during the scan", error);
    }

    [Fact]
    public void Keys_at_the_edges_of_the_read_buffer_and_past_it_are_found_at_their_lines()
    {
        var scanner = new ContentScanner(new TextScanner(RuleSet.Default()));
        var expected = new List<(string Path, string Key, int Line)>();
        // Files that end just before, at and after the whole-read buffer, with the key on their last line.
        foreach (int delta in new[] { -1, 0, 1, 300_000 })
        {
            var key = _fake.KeyId();
            var tail = $"aws_access_key_id = {key}\n";
            int fill = ContentScanner.ChunkBytes + delta - tail.Length;
            var line = new string('w', 99) + "\n";
            var body = new StringBuilder();
            while (body.Length + line.Length <= fill) body.Append(line);
            body.Append('\n', fill - body.Length);
            var name = $"edge{delta}.txt";
            _dir.Write(name, body + tail);
            Assert.Equal(ContentScanner.ChunkBytes + delta, new FileInfo(Path.Combine(_dir.Path, name)).Length);
            expected.Add((name, key, body.ToString().Count(c => c == '\n') + 1));
        }
        var result = new FileScan(scanner, new WalkOptions { NoIgnore = true }).Run([_dir.Path + "/"]);
        result.Sort();
        Assert.Empty(result.Errors);
        Assert.Equal(expected.OrderBy(e => e.Path, StringComparer.Ordinal).Select(e => (_dir.Path + "/" + e.Path, e.Key, e.Line)),
            result.Findings.Select(f => (f.Path, f.Secret, f.Line)));
    }

    /// <summary>A stream that cannot seek: the end is known only by a short read.</summary>
    private sealed class Unseekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 100_000));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Large_texts_read_in_chunks_find_every_key_once_at_its_line_and_column_wherever_the_chunks_end()
    {
        var scanner = new ContentScanner(new TextScanner(RuleSet.Default()));
        var text = new StringBuilder();
        var expected = new List<(string Key, int Line, int Column)>();
        int line = 1, byteCount = 0;
        void Append(string s)
        {
            text.Append(s);
            byteCount += Encoding.UTF8.GetByteCount(s);
        }
        void Filler(int upTo)
        {
            // Plain lines, some with multi-byte characters (columns count UTF-16 units, not bytes).
            while (byteCount < upTo)
            {
                Append(line % 7 == 0 ? "caf\u00e9 \U0001F600 token words here\r\n" : "just some ordinary words in a line\n");
                line++;
            }
        }
        // Keys around where chunks end and where the carried overlap starts, and far from both.
        int chunk = ContentScanner.ChunkBytes, overlap = ContentScanner.OverlapChars;
        foreach (int at in new[] { 5_000, chunk - 30, chunk + 10, 2 * chunk - overlap - 20, 2 * chunk - overlap + 5, 2 * chunk - 15, 3 * chunk + 123_456 })
        {
            Filler(at);
            var key = _fake.KeyId();
            var prefix = line % 2 == 0 ? "\u00fcber aws_access_key_id = " : "AWS_ACCESS_KEY_ID=";
            expected.Add((key, line, prefix.Length + 1));
            Append(prefix + key + "\n");
            line++;
        }
        // A minified line longer than a chunk, multi-byte characters all along, a key deep inside it: the chunks
        // end mid-line, so the column rests on counting what dropped out of the line so far.
        var minified = new StringBuilder();
        while (minified.Length < 2 * chunk + chunk / 2) minified.Append("var \u00e9=1;");
        var deepKey = _fake.KeyId();
        expected.Add((deepKey, line, minified.Length + "k=\"".Length + 1));
        Append(minified + "k=\"" + deepKey + "\";" + minified + "\n");
        line++;
        Filler(9 * chunk);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        string? oneThread = null;
        // Chunks scanned one at a time, and on several threads at once (a large file no longer waits for one core):
        // the same findings in the same order, at the same lines and columns.
        foreach (int parallelism in new[] { 1, 2, 5 })
            foreach (var make in new Func<Stream>[] { () => new MemoryStream(bytes), () => new Unseekable(new MemoryStream(bytes)) })
            {
                var found = new List<KeyGuard.Findings.Finding>();
                var r = new ContentScanner(scanner.Engine) { Parallelism = parallelism }.Scan(make(), new Provenance("big.log"), found);
                Assert.Equal(bytes.Length, r.Bytes);
                Assert.Equal(expected, found.Where(f => f.RuleId == "aws-access-key-id").OrderBy(f => f.Line).Select(f => (f.Secret, f.Line, f.Column)));
                var all = string.Join("\n", found.Select(f => $"{f.RuleId} {f.Offset} {f.Line}:{f.Column} {f.Secret}"));
                Assert.Equal(oneThread ??= all, all);
            }
    }

    /// <summary>A tree deep and wide enough that threads take each other's directories.</summary>
    private List<string> PlantTree()
    {
        var keys = new List<string>();
        var random = new Random(9);
        for (int d = 0; d < 60; d++)
        {
            var dir = string.Join("/", Enumerable.Range(0, 1 + d % 5).Select(i => $"d{(d + i) % 7}"));
            for (int f = 0; f < 12; f++)
            {
                var text = new StringBuilder();
                for (int l = 0; l < random.Next(1, 40); l++) text.Append($"line {l} of {dir}/{f}\n");
                if (random.Next(4) == 0)
                {
                    var key = _fake.KeyId();
                    keys.Add(key);
                    text.Append($"aws_access_key_id: {key}\n");
                }
                _dir.Write($"{dir}/f{d}-{f}.txt", text.ToString());
            }
        }
        return keys;
    }

    [Fact]
    public void Any_number_of_threads_walks_the_same_files_and_finds_the_same_keys_as_one()
    {
        var keys = PlantTree();
        var scanner = new ContentScanner(new TextScanner(RuleSet.Default()));
        var one = new FileWalker(new WalkOptions()).Walk(_dir.Path).Select(f => f.DisplayPath).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(720, one.Count);
        string? firstFindings = null;
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            var seen = new System.Collections.Concurrent.ConcurrentBag<(int Thread, string Path)>();
            new FileWalker(new WalkOptions()).Walk([_dir.Path], threads, (t, f) => seen.Add((t, f.DisplayPath)));
            Assert.Equal(one, seen.Select(s => s.Path).Order(StringComparer.Ordinal));
            Assert.All(seen, s => Assert.InRange(s.Thread, 0, threads - 1));

            var result = new FileScan(scanner, new WalkOptions(), parallelism: threads).Run([_dir.Path]);
            result.Sort();
            Assert.Equal(720, result.Stats.FilesScanned);
            Assert.Equal(keys.Order(StringComparer.Ordinal), result.Findings.Select(f => f.Secret).Order(StringComparer.Ordinal));
            var listing = string.Join("\n", result.Findings.Select(f => $"{f.Path}:{f.Line}:{f.Column} {f.Secret}"));
            Assert.Equal(firstFindings ??= listing, listing);
        }
    }

    /// <summary>
    /// One directory holding most of a tree (aws-sdk-js's `apis/`: 1,664 files, 100 MB of its 160) was one thread's
    /// work while the others idled. Its files are now handed out in shares; every file is still scanned once, the
    /// findings are those of one thread, and the directory's descriptor is closed when the last share is done.
    /// </summary>
    [Fact]
    public void A_large_directory_is_shared_between_threads_and_its_descriptor_closed_after_the_last_share()
    {
        var keys = new List<string>();
        for (int f = 0; f < 10 * FileWalker.ShareFiles + 7; f++)
        {
            string text = $"model {f}\n";
            if (f % 9 == 0) { var key = _fake.KeyId(); keys.Add(key); text += $"aws_access_key_id = {key}\n"; }
            _dir.Write($"apis/m{f:D4}.json", text);
        }
        _dir.Write("apis/nested/readme.txt", "nothing here\n");
        var scanner = new ContentScanner(new TextScanner(RuleSet.Default()));
        string? firstFindings = null;
        foreach (int threads in new[] { 1, 2, 4 })
        {
            var batches = new System.Collections.Concurrent.ConcurrentBag<(int Thread, int Files)>();
            new FileWalker(new WalkOptions()).WalkBatches([_dir.Path], threads, (t, files) => batches.Add((t, files.Count)));
            Assert.Equal(10 * FileWalker.ShareFiles + 8, batches.Sum(b => b.Files));
            if (threads > 1)
            {
                Assert.True(batches.Count >= 11, $"{batches.Count} batches: the directory was not shared");
                Assert.All(batches, b => Assert.InRange(b.Files, 1, FileWalker.ShareFiles));
            }

            var result = new FileScan(scanner, new WalkOptions(), parallelism: threads).Run([_dir.Path]);
            result.Sort();
            Assert.Equal(10 * FileWalker.ShareFiles + 8, result.Stats.FilesScanned);
            var listing = string.Join("\n", result.Findings.Select(f => $"{f.Path}:{f.Line}:{f.Column} {f.Secret}"));
            Assert.Equal(keys.Order(StringComparer.Ordinal), result.Findings.Select(f => f.Secret).Order(StringComparer.Ordinal));
            Assert.Equal(firstFindings ??= listing, listing);
        }
        // A failure part-way leaves shares in the queue: their directory is let go too.
        int heldWhileScanning = 0;
        Assert.ThrowsAny<InvalidOperationException>(() =>
            new FileWalker(new WalkOptions()).WalkBatches([_dir.Path], 4, (_, _) =>
            {
                Interlocked.Exchange(ref heldWhileScanning, DescriptorsUnder(_dir.Path).Count);
                throw new InvalidOperationException("boom");
            }));
        Assert.True(!OperatingSystem.IsLinux() || heldWhileScanning > 0, "the directory was not open while its files were scanned");
        Assert.Empty(DescriptorsUnder(_dir.Path));
    }

    /// <summary>This process's open descriptors on paths under <paramref name="root"/> (Linux; none elsewhere).</summary>
    private static List<string> DescriptorsUnder(string root)
    {
        var open = new List<string>();
        if (!OperatingSystem.IsLinux()) return open;
        foreach (var fd in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            try { if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(root, StringComparison.Ordinal)) open.Add(target); }
            catch (IOException) { }
        }
        return open;
    }

    [Fact]
    public void A_failure_on_any_thread_stops_the_walk_and_reaches_the_caller()
    {
        PlantTree();
        foreach (int threads in new[] { 1, 4 })
        {
            int calls = 0;
            var walk = Task.Run(() => new FileWalker(new WalkOptions()).Walk([_dir.Path], threads, (_, f) =>
            {
                if (Interlocked.Increment(ref calls) == 100) throw new InvalidOperationException("boom at " + f.DisplayPath);
            }));
            Assert.True(((IAsyncResult)walk).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the walk did not stop");
            var e = Assert.Throws<AggregateException>(() => walk.Wait());
            Assert.StartsWith("boom at ", Assert.IsType<InvalidOperationException>(e.InnerException).Message);
            Assert.True(calls < 720, $"the walk went on after the failure ({calls} files)");
        }
    }

    [Fact]
    public void Files_named_on_the_command_line_are_scanned_in_parallel_and_reported_as_named()
    {
        var key1 = _fake.KeyId();
        var key2 = _fake.KeyId();
        _dir.Write("a.env", $"AWS_ACCESS_KEY_ID={key1}\n");
        _dir.Write("sub/b.env", $"AWS_ACCESS_KEY_ID={key2}\n");
        var scanner = new ContentScanner(new TextScanner(RuleSet.Default()));
        var a = Path.Combine(_dir.Path, "a.env");
        var b = Path.Combine(_dir.Path, "sub", "b.env");
        var result = new FileScan(scanner, new WalkOptions(), parallelism: 2).Run([b, a, Path.Combine(_dir.Path, "nope.env")]);
        result.Sort();
        Assert.Equal([(a, key1), (b, key2)], result.Findings.Select(f => (f.Path, f.Secret)));
        Assert.Equal("no such file or directory", Assert.Single(result.Errors).Message);
    }

    private void Sh(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = _dir.Path, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, script + ": " + err);
    }

    private string KeyFile()
    {
        var id = _fake.KeyId();
        _dir.Write("key.txt", $"aws_access_key_id={id}\naws_secret_access_key={_fake.Secret()}\n");
        return id;
    }

    [Fact]
    public void Follow_symlinks_follows_directory_links_and_reports_a_link_to_its_own_ancestor_once_as_a_cycle()
    {
        if (!OperatingSystem.IsLinux()) return;
        KeyFile();
        Sh("mkdir -p sl3 tgt && cp key.txt tgt/c.env && ln -s ../tgt sl3/linkdir && ln -s ../tgt/c.env sl3/linkfile && ln -s .. sl3/up");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "sl3", "--follow-symlinks", "--format", "json");
        Assert.Equal(3, r.ExitCode);
        var root = System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement;
        var keyPaths = root.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == "aws-access-key-id")
            .Select(f => f.GetProperty("path").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["sl3/linkdir/c.env", "sl3/linkfile"], keyPaths);
        var error = Assert.Single(root.GetProperty("errors").EnumerateArray());
        Assert.Equal("sl3/up", error.GetProperty("path").GetString());
        Assert.Contains("cycle", error.GetProperty("message").GetString());
        Assert.DoesNotContain("broken", r.Stderr);
    }

    [Fact]
    public void A_symlink_loop_is_one_error_for_that_link_and_the_rest_is_scanned_and_reported()
    {
        if (!OperatingSystem.IsLinux()) return;
        var id = KeyFile();
        Sh("mkdir -p sl2/a/b && cp key.txt sl2/a/b/c.env && ln -s self sl2/self && ln -s loop2 sl2/loop1 && ln -s loop1 sl2/loop2");
        var r = KeyGuardProcess.Run(_dir.Path, null, "scan", "sl2", "--follow-symlinks", "--format", "json", "-o", "out.json");
        Assert.Equal(3, r.ExitCode);
        var root = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, "out.json"))).RootElement;
        Assert.Contains(root.GetProperty("findings").EnumerateArray(), f => f.GetProperty("path").GetString() == "sl2/a/b/c.env" && f.GetProperty("keyId").GetString() == id);
        Assert.Equal([("sl2/loop1", "symbolic link loop"), ("sl2/loop2", "symbolic link loop"), ("sl2/self", "symbolic link loop")],
            root.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("path").GetString(), e.GetProperty("message").GetString())).OrderBy(e => e.Item1, StringComparer.Ordinal));
        Assert.Equal(3, r.Stderr.Trim().Split('\n').Count(l => l.StartsWith("keyguard: sl2/", StringComparison.Ordinal)));   // plus the summary line (-o)
    }

    [Fact]
    public void Sockets_and_named_pipes_inside_a_tree_are_skipped_and_counted_not_errors()
    {
        if (!OperatingSystem.IsLinux()) return;
        var id = KeyFile();
        Sh("mkdir sockdir && cp key.txt sockdir/c.env && mkfifo sockdir/fifo");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(_dir.Path, "sockdir", "s.sock")));
        foreach (var env in new[] { new Dictionary<string, string>(), new() { ["KEYGUARD_RAW_READS"] = "0" } })
        {
            var r = KeyGuardProcess.Run(_dir.Path, null, env, "scan", "sockdir", "--format", "json");
            Assert.True(r.ExitCode == 1, r.Stdout + r.Stderr);
            var stats = System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement.GetProperty("stats");
            Assert.Equal(0, stats.GetProperty("errors").GetInt32());
            Assert.Equal(1, stats.GetProperty("filesScanned").GetInt32());
            Assert.Equal(2, stats.GetProperty("specialFilesSkipped").GetInt32());
        }
    }

    public static TheoryData<string> ReadRoutes => new() { "default", "KEYGUARD_IO_URING", "KEYGUARD_RAW_READS" };

    [Theory]
    [MemberData(nameof(ReadRoutes))]
    public void Files_and_directories_whose_names_are_not_utf8_are_scanned_and_reported_byte_for_byte(string off)
    {
        if (!OperatingSystem.IsLinux()) return;
        var id = KeyFile();
        _dir.Write("big.txt", new string('x', ContentScanner.ChunkBytes + 10) + "\n" + File.ReadAllText(Path.Combine(_dir.Path, "key.txt")));
        try
        {
            // bad\xff\xfeutf8.ini, dir\xffbad/inner.ini, and a file past one read chunk (streamed) in dir\xffbad/
            Sh("mkdir names && cp key.txt \"names/$(printf 'bad\\377\\376utf8.ini')\" && mkdir \"names/$(printf 'dir\\377bad')\" "
               + "&& cp key.txt \"names/$(printf 'dir\\377bad')/inner.ini\" && cp big.txt \"names/$(printf 'dir\\377bad/l\\376rge.txt')\"");
            var env = off == "default" ? null : new Dictionary<string, string> { [off] = "0" };
            var text = KeyGuardProcess.Run(_dir.Path, null, env, "scan", "names");
            Assert.True(text.ExitCode == 1, text.Stdout + text.Stderr);
            Assert.Contains(@"names/bad\xff\xfeutf8.ini:1:19  aws-access-key-id", text.Stdout);
            Assert.Contains(@"names/dir\xffbad/inner.ini:1:19  aws-access-key-id", text.Stdout);
            Assert.Contains(@"names/dir\xffbad/l\xferge.txt:2:19  aws-access-key-id", text.Stdout);

            var json = KeyGuardProcess.Run(_dir.Path, null, env, "scan", "names", "--format", "json");
            var root = System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement;
            Assert.Equal(0, root.GetProperty("stats").GetProperty("errors").GetInt32());
            var paths = root.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == "aws-access-key-id")
                .Select(f => (f.GetProperty("path").GetString(), Convert.ToHexString(f.GetProperty("pathBytes").GetBytesFromBase64()), f.GetProperty("keyId").GetString()))
                .OrderBy(p => p.Item1, StringComparer.Ordinal);
            string Hex(string s) => Convert.ToHexString(Encoding.Latin1.GetBytes(s));
            Assert.Equal([(@"names/bad\xff\xfeutf8.ini", Hex("names/bad\u00ff\u00feutf8.ini"), id), (@"names/dir\xffbad/inner.ini", Hex("names/dir\u00ffbad/inner.ini"), id),
                (@"names/dir\xffbad/l\xferge.txt", Hex("names/dir\u00ffbad/l\u00ferge.txt"), id)], paths);
        }
        finally { Sh("rm -rf names"); }
    }
}
