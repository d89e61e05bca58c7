using System.Globalization;
using System.Text.Json;
using KeyGuard.Findings;
using Microsoft.Data.Sqlite;

namespace KeyGuard.Org;

/// <summary>
/// The org scan's memory, one SQLite file: runs, each repository's ref tips and outcome, the blob ids already
/// scanned, and findings per repository + fingerprint with their places and lifecycle. Never a plaintext secret:
/// findings keep the fingerprint and the redacted form. One connection, serialised by a lock: scanning runs in
/// parallel, writing one repository's outcome is one short transaction.
/// </summary>
internal sealed partial class OrgState : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    public string FilePath { get; }

    private const string Schema = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=NORMAL;
        CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, shard TEXT);
        CREATE TABLE IF NOT EXISTS repos(repo TEXT PRIMARY KEY, location TEXT, last_run INTEGER, scanned_at TEXT,
            outcome TEXT, error TEXT, tips TEXT, commits INTEGER, blobs INTEGER, bytes INTEGER, duration_ms INTEGER, shard TEXT);
        CREATE TABLE IF NOT EXISTS blobs(repo TEXT NOT NULL, oid TEXT NOT NULL, PRIMARY KEY(repo, oid)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS findings(repo TEXT NOT NULL, fingerprint TEXT NOT NULL, rule TEXT, title TEXT, severity TEXT,
            key_id TEXT, account TEXT, key_kind TEXT, redacted TEXT, secret_length INTEGER,
            first_run INTEGER, first_seen TEXT, last_run INTEGER, last_seen TEXT, resolved_run INTEGER, resolved_at TEXT, rotated_at TEXT,
            PRIMARY KEY(repo, fingerprint));
        CREATE TABLE IF NOT EXISTS locations(repo TEXT NOT NULL, fingerprint TEXT NOT NULL, object TEXT NOT NULL, kind TEXT,
            path TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, end_col INTEGER, commit_id TEXT, author TEXT, email TEXT, date TEXT,
            PRIMARY KEY(repo, fingerprint, object, path, line, col)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS rotation_marks(mark TEXT PRIMARY KEY, marked_at TEXT NOT NULL);
        """;

    private OrgState(string path, SqliteConnection db) { FilePath = path; _db = db; }

    public static OrgState Open(string path, bool mustExist = false, string option = "--state")
    {
        var full = Path.GetFullPath(path);
        if (mustExist && !File.Exists(full)) throw new InvalidInputException($"{option}: {path}: file not found");
        try
        {
            SecureDirectory.Create(Path.GetDirectoryName(full)!);
            // SQLite gives its journal and WAL files the database file's mode: create it private first.
            SecureFile.Ensure(full);
            var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
            db.Open();
            var state = new OrgState(full, db);
            state.Exec(Schema);
            return state;
        }
        catch (SqliteException e) { throw new InvalidInputException($"{option}: {path}: not a KeyGuard state file ({e.SqliteErrorCode}: {e.Message.Split('\n')[0]})"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"{option}: {path}: {e.Message}"); }
    }

    public void Dispose() => _db.Dispose();

    internal static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    // ---- runs ----

    /// <summary>
    /// The run to work in: the last one if it never finished (an interrupted run resumes under its id, so its
    /// findings stay "new" and its finished repositories are skipped), else a new one. --restart always starts anew.
    /// </summary>
    public (long RunId, bool Resumed) BeginRun(string shard, bool restart)
    {
        lock (_gate)
        {
            using (var last = Cmd("SELECT id FROM runs WHERE finished IS NULL AND shard = $s ORDER BY id DESC LIMIT 1", ("$s", shard)))
                if (!restart && last.ExecuteScalar() is long open) return (open, true);
            using var insert = Cmd("INSERT INTO runs(started, shard) VALUES($t, $s) RETURNING id", ("$t", Now()), ("$s", shard));
            return ((long)insert.ExecuteScalar()!, false);
        }
    }

    public void FinishRun(long runId)
    {
        lock (_gate) Run("UPDATE runs SET finished = $t WHERE id = $id", ("$t", Now()), ("$id", runId));
    }

    public RunInfo? LastRun()
    {
        lock (_gate)
        {
            using var c = Cmd("SELECT id, started, finished, shard FROM runs ORDER BY id DESC LIMIT 1");
            using var r = c.ExecuteReader();
            return r.Read() ? new RunInfo(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)) : null;
        }
    }

    /// <summary>True when the repository already finished successfully in this run (resume skips it).</summary>
    public bool IsDone(string repo, long runId)
    {
        lock (_gate)
        {
            using var c = Cmd("SELECT 1 FROM repos WHERE repo = $r AND last_run = $run AND outcome = 'ok'", ("$r", repo), ("$run", runId));
            return c.ExecuteScalar() != null;
        }
    }

    // ---- one repository ----

    /// <summary>What the previous scan of this repository left: its ref tips and the blobs already scanned.</summary>
    public RepoMemory LoadRepo(string repo)
    {
        lock (_gate)
        {
            var tips = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var c = Cmd("SELECT tips FROM repos WHERE repo = $r AND tips IS NOT NULL", ("$r", repo)))
                if (c.ExecuteScalar() is string json) tips = JsonSerializer.Deserialize(json, OrgJsonContext.Default.DictionaryStringString) ?? tips;
            var blobs = new HashSet<string>(StringComparer.Ordinal);
            using (var c = Cmd("SELECT oid FROM blobs WHERE repo = $r", ("$r", repo)))
            using (var r = c.ExecuteReader())
                while (r.Read()) blobs.Add(r.GetString(0));
            return new RepoMemory(tips, blobs);
        }
    }

    /// <summary>
    /// Writes one repository's scan in one transaction: tips, scanned blobs, findings and places, and the lifecycle
    /// (seen now / resolved / reopened). A kill between repositories loses nothing already written.
    /// </summary>
    /// <returns>The repository's findings exposed after this scan (new or open: neither resolved nor rotated), and how many of them are new.</returns>
    public (int Exposed, int New) SaveOutcome(RepoScanOutcome o)
    {
        lock (_gate)
        {
            InTransaction(() => SaveInTransaction(o));
            using var c = Cmd("""
                SELECT COUNT(*), COALESCE(SUM(first_run = $run), 0) FROM findings
                WHERE repo = $r AND resolved_at IS NULL AND rotated_at IS NULL
                """, ("$r", o.Repo), ("$run", o.RunId));
            using var r = c.ExecuteReader();
            r.Read();
            return (r.GetInt32(0), r.GetInt32(1));
        }
    }

    private void SaveInTransaction(RepoScanOutcome o)
    {
        {
            var now = Now();
            Run("""
                INSERT INTO repos(repo, location, last_run, scanned_at, outcome, error, tips, commits, blobs, bytes, duration_ms, shard)
                VALUES($r, $loc, $run, $t, $outcome, $e, $tips, $c, $b, $bytes, $ms, $shard)
                ON CONFLICT(repo) DO UPDATE SET location=$loc, last_run=$run, scanned_at=$t, outcome=$outcome, error=$e, tips=$tips,
                    commits=$c, blobs=$b, bytes=$bytes, duration_ms=$ms, shard=$shard
                """, ("$r", o.Repo), ("$loc", o.Location), ("$run", o.RunId), ("$t", now),
                ("$outcome", o.Errors.Count == 0 ? "ok" : "partial"), ("$e", ErrorSummary(o.Errors)),
                ("$tips", JsonSerializer.Serialize(o.Tips, OrgJsonContext.Default.DictionaryStringString)),
                ("$c", o.Commits), ("$b", o.Blobs), ("$bytes", o.Bytes), ("$ms", o.DurationMs), ("$shard", o.Shard));

            if (o.Reachable is { } reachable) ApplyRewrite(o, reachable, now);

            using (var add = Cmd("INSERT OR IGNORE INTO blobs(repo, oid) VALUES($r, $o)", ("$r", o.Repo), ("$o", "")))
                foreach (var oid in o.ScannedBlobs) { add.Parameters["$o"].Value = oid; add.ExecuteNonQuery(); }

            foreach (var f in o.Findings) SaveFinding(o, f, now);

            // Everything not resolved is still reachable (no rewrite, or it survived the check above): seen now.
            Run("UPDATE findings SET last_run = $run, last_seen = $t WHERE repo = $r AND resolved_at IS NULL", ("$run", o.RunId), ("$t", now), ("$r", o.Repo));
        }
    }

    /// <summary>One line for the summary: the first errors and how many more.</summary>
    internal static string? ErrorSummary(IReadOnlyList<string> errors) => errors.Count switch
    {
        0 => null,
        1 => "1 object unreadable: " + errors[0],
        _ => $"{errors.Count} objects unreadable: {string.Join("; ", errors.Take(3))}{(errors.Count > 3 ? $"; and {errors.Count - 3} more" : "")}",
    };

    /// <summary>
    /// After a force-push or a deleted ref: findings none of whose places is reachable any more are resolved, and
    /// blobs no longer reachable are forgotten, so that if they come back they are scanned (and reopen) again.
    /// </summary>
    private void ApplyRewrite(RepoScanOutcome o, HashSet<string> reachable, string now)
    {
        var places = new Dictionary<string, bool>(StringComparer.Ordinal);
        using (var c = Cmd("SELECT l.fingerprint, l.object FROM locations l JOIN findings f ON f.repo = l.repo AND f.fingerprint = l.fingerprint WHERE l.repo = $r AND f.resolved_at IS NULL", ("$r", o.Repo)))
        using (var r = c.ExecuteReader())
            while (r.Read())
            {
                var fp = r.GetString(0);
                places[fp] = places.GetValueOrDefault(fp) || reachable.Contains(r.GetString(1));
            }
        using (var resolve = Cmd("UPDATE findings SET resolved_run = $run, resolved_at = $t WHERE repo = $r AND fingerprint = $fp", ("$run", o.RunId), ("$t", now), ("$r", o.Repo), ("$fp", "")))
            foreach (var (fp, alive) in places)
                if (!alive) { resolve.Parameters["$fp"].Value = fp; resolve.ExecuteNonQuery(); }

        var gone = new List<string>();
        using (var c = Cmd("SELECT oid FROM blobs WHERE repo = $r", ("$r", o.Repo)))
        using (var r = c.ExecuteReader())
            while (r.Read()) if (!reachable.Contains(r.GetString(0))) gone.Add(r.GetString(0));
        using var forget = Cmd("DELETE FROM blobs WHERE repo = $r AND oid = $o", ("$r", o.Repo), ("$o", ""));
        foreach (var oid in gone) { forget.Parameters["$o"].Value = oid; forget.ExecuteNonQuery(); }
    }

    private void SaveFinding(RepoScanOutcome o, Finding f, string now)
    {
        Run("""
            INSERT INTO findings(repo, fingerprint, rule, title, severity, key_id, account, key_kind, redacted, secret_length, first_run, first_seen, last_run, last_seen)
            VALUES($r, $fp, $rule, $title, $sev, $key, $acct, $kind, $red, $len, $run, $t, $run, $t)
            ON CONFLICT(repo, fingerprint) DO UPDATE SET resolved_run = NULL, resolved_at = NULL,
                key_id = COALESCE(findings.key_id, $key), account = COALESCE(findings.account, $acct)
            """, ("$r", o.Repo), ("$fp", f.Fingerprint), ("$rule", f.RuleId), ("$title", f.RuleTitle), ("$sev", f.Severity),
            ("$key", f.KeyId), ("$acct", f.Account), ("$kind", f.KeyKind), ("$red", f.Redacted), ("$len", f.Secret.Length), ("$run", o.RunId), ("$t", now));
        Run("""
            INSERT OR IGNORE INTO locations(repo, fingerprint, object, kind, path, line, col, end_col, commit_id, author, email, date)
            VALUES($r, $fp, $obj, $kind, $path, $line, $col, $end, $commit, $author, $email, $date)
            """, ("$r", o.Repo), ("$fp", f.Fingerprint), ("$obj", f.Source.BlobId ?? f.Source.Commit ?? f.Path),
            ("$kind", f.Source.Kind == Sources.SourceKind.CommitMessage ? "message" : "blob"), ("$path", f.Path), ("$line", f.Line), ("$col", f.Column),
            ("$end", f.EndColumn), ("$commit", f.Source.Commit), ("$author", f.Source.Author), ("$email", f.Source.Email),
            ("$date", f.Source.Date?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
    }

    /// <summary>A repository that failed: its error is recorded, its tips, blobs and findings stay as they were.</summary>
    public void RecordFailure(RepoSpec repo, long runId, string shard, string error)
    {
        lock (_gate)
            Run("""
                INSERT INTO repos(repo, location, last_run, scanned_at, outcome, error, commits, blobs, bytes, duration_ms, shard)
                VALUES($r, $loc, $run, $t, 'failed', $e, 0, 0, 0, 0, $shard)
                ON CONFLICT(repo) DO UPDATE SET location=$loc, last_run=$run, scanned_at=$t, outcome='failed', error=$e, commits=0, blobs=0, bytes=0, duration_ms=0, shard=$shard
                """, ("$r", repo.Identity), ("$loc", repo.SafeLocation), ("$run", runId), ("$t", Now()), ("$e", error), ("$shard", shard));
    }

    /// <summary>Marks every finding with this fingerprint or key ID (in any repository) rotated. Returns how many.</summary>
    public int MarkRotated(string fingerprintOrKeyId)
    {
        lock (_gate)
        {
            int n = Run("UPDATE findings SET rotated_at = COALESCE(rotated_at, $t) WHERE fingerprint = $x OR key_id = $x", ("$t", Now()), ("$x", fingerprintOrKeyId));
            // Kept as a mark too, so a merge rebuilt from its shards, and findings of the key seen later, stay rotated.
            if (n > 0) Run("INSERT OR IGNORE INTO rotation_marks(mark, marked_at) VALUES($x, $t)", ("$x", fingerprintOrKeyId), ("$t", Now()));
            return n;
        }
    }

    /// <summary>Every rotation mark recorded here (kept by org-merge across rebuilds).</summary>
    public List<(string Mark, string MarkedAt)> RotationMarks()
    {
        lock (_gate)
        {
            using var cmd = Cmd("SELECT mark, marked_at FROM rotation_marks ORDER BY mark");
            using var r = cmd.ExecuteReader();
            var marks = new List<(string, string)>();
            while (r.Read()) marks.Add((r.GetString(0), r.GetString(1)));
            return marks;
        }
    }

    /// <summary>Records <paramref name="marks"/> and applies every recorded mark to the findings (as of when it was made).</summary>
    public void ApplyRotationMarks(IEnumerable<(string Mark, string MarkedAt)> marks)
    {
        lock (_gate)
        {
            foreach (var (mark, at) in marks) Run("INSERT OR IGNORE INTO rotation_marks(mark, marked_at) VALUES($x, $t)", ("$x", mark), ("$t", at));
            Run("""
                UPDATE findings SET rotated_at = (SELECT MIN(m.marked_at) FROM rotation_marks m WHERE m.mark = findings.fingerprint OR m.mark = findings.key_id)
                WHERE rotated_at IS NULL AND EXISTS (SELECT 1 FROM rotation_marks m WHERE m.mark = findings.fingerprint OR m.mark = findings.key_id)
                """);
        }
    }

    // ---- plumbing ----

    /// <summary>Microsoft.Data.Sqlite wants every command of an open transaction to name it.</summary>
    private SqliteTransaction? _tx;

    private void InTransaction(Action body)
    {
        _tx = _db.BeginTransaction();
        try { body(); _tx.Commit(); }
        finally { _tx.Dispose(); _tx = null; }
    }

    private SqliteCommand Cmd(string sql, params (string Name, object? Value)[] args)
    {
        var c = _db.CreateCommand();
        c.Transaction = _tx;
        c.CommandText = sql;
        foreach (var (name, value) in args) c.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return c;
    }

    private int Run(string sql, params (string Name, object? Value)[] args)
    {
        using var c = Cmd(sql, args);
        return c.ExecuteNonQuery();
    }

    private void Exec(string sql)
    {
        using var c = _db.CreateCommand();
        c.Transaction = _tx;
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }
}

internal sealed record RunInfo(long Id, string Started, string? Finished, string? Shard);

/// <summary>What an earlier run left for one repository.</summary>
internal sealed record RepoMemory(Dictionary<string, string> Tips, HashSet<string> ScannedBlobs);

/// <summary>One repository's scan, ready to be written to the state.</summary>
internal sealed class RepoScanOutcome
{
    public required string Repo { get; init; }
    public required string Location { get; init; }
    public required long RunId { get; init; }
    public required string Shard { get; init; }
    public required Dictionary<string, string> Tips { get; init; }
    public required List<string> ScannedBlobs { get; init; }
    /// <summary>Blobs and commits reachable from the tips; set only when history was rewritten (some old tip unreachable).</summary>
    public HashSet<string>? Reachable { get; init; }
    public required List<Finding> Findings { get; init; }
    /// <summary>Objects that could not be read (missing blobs or trees): the outcome is "partial", the rest is reported.</summary>
    public List<string> Errors { get; init; } = [];
    public long Commits { get; init; }
    public long Blobs { get; init; }
    public long Bytes { get; init; }
    public long DurationMs { get; init; }
}
