using Microsoft.Data.Sqlite;

namespace KeyGuard.Org;

/// <summary>A repository as the state knows it after its latest attempt.</summary>
internal sealed record RepoRecord(string Repo, string? Location, long LastRun, string? ScannedAt, string Outcome, string? Error,
    long Commits, long Blobs, long Bytes, long DurationMs, string? Shard);

internal sealed record LocationRecord(string Object, string Kind, string Path, int Line, int Column, int EndColumn,
    string? Commit, string? Author, string? Email, string? Date);

/// <summary>A tracked finding: never the secret, only its fingerprint, redacted form and length.</summary>
internal sealed record FindingRecord(string Repo, string Fingerprint, string Rule, string Title, string Severity, string? KeyId,
    string? Account, string? KeyKind, string Redacted, int SecretLength, long FirstRun, string FirstSeen, long LastRun, string LastSeen,
    string? ResolvedAt, string? RotatedAt, List<LocationRecord> Locations)
{
    /// <summary>
    /// resolved: no place holding it is reachable from any ref tip (checked when history lost commits);
    /// rotated: marked with --mark-rotated and still reachable; new: first seen in the repository's latest scan;
    /// open: seen in an earlier scan and still reachable.
    /// </summary>
    public string Status(long repoLastRun) =>
        ResolvedAt != null ? "resolved" : RotatedAt != null ? "rotated" : FirstRun == repoLastRun ? "new" : "open";
}

internal sealed partial class OrgState
{
    public List<RepoRecord> ReadRepos()
    {
        lock (_gate)
        {
            var list = new List<RepoRecord>();
            using var c = Cmd("SELECT repo, location, last_run, scanned_at, outcome, error, commits, blobs, bytes, duration_ms, shard FROM repos ORDER BY repo");
            using var r = c.ExecuteReader();
            while (r.Read())
                list.Add(new RepoRecord(r.GetString(0), S(r, 1), r.GetInt64(2), S(r, 3), r.GetString(4), S(r, 5),
                    L(r, 6), L(r, 7), L(r, 8), L(r, 9), S(r, 10)));
            return list;
        }
    }

    public List<FindingRecord> ReadFindings()
    {
        lock (_gate)
        {
            var places = new Dictionary<(string, string), List<LocationRecord>>();
            using (var c = Cmd("SELECT repo, fingerprint, object, kind, path, line, col, end_col, commit_id, author, email, date FROM locations ORDER BY date, path, line"))
            using (var r = c.ExecuteReader())
                while (r.Read())
                {
                    var key = (r.GetString(0), r.GetString(1));
                    if (!places.TryGetValue(key, out var list)) places[key] = list = [];
                    list.Add(new LocationRecord(r.GetString(2), S(r, 3) ?? "blob", r.GetString(4), r.GetInt32(5), r.GetInt32(6), (int)L(r, 7),
                        S(r, 8), S(r, 9), S(r, 10), S(r, 11)));
                }
            var findings = new List<FindingRecord>();
            using (var c = Cmd("""
                SELECT repo, fingerprint, rule, title, severity, key_id, account, key_kind, redacted, secret_length,
                       first_run, first_seen, last_run, last_seen, resolved_at, rotated_at FROM findings ORDER BY repo, first_seen, fingerprint
                """))
            using (var r = c.ExecuteReader())
                while (r.Read())
                    findings.Add(new FindingRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), S(r, 5), S(r, 6), S(r, 7),
                        r.GetString(8), (int)L(r, 9), r.GetInt64(10), r.GetString(11), r.GetInt64(12), r.GetString(13), S(r, 14), S(r, 15),
                        places.GetValueOrDefault((r.GetString(0), r.GetString(1))) ?? []));
            return findings;
        }
    }

    /// <summary>
    /// Copies another state (a shard's) into this one. Shards own disjoint repositories; if two hold the same one,
    /// the later scan wins. Run ids stay per repository, so "new" keeps its meaning. A shard that is not a readable
    /// KeyGuard state (truncated, empty, another SQLite file) throws <see cref="BadShardException"/> and changes nothing.
    /// </summary>
    public void MergeFrom(string otherFile)
    {
        lock (_gate)
        {
            try
            {
                using (var attach = Cmd("ATTACH DATABASE $f AS other", ("$f", otherFile))) attach.ExecuteNonQuery();
            }
            catch (SqliteException e) { throw BadShardException.From(e); }
            try
            {
                CheckShard();
                InTransaction(() => Exec("""
                    CREATE TEMP TABLE incoming AS SELECT o.repo FROM other.repos o LEFT JOIN main.repos m ON m.repo = o.repo
                        WHERE m.repo IS NULL OR COALESCE(o.scanned_at, '') >= COALESCE(m.scanned_at, '');
                    DELETE FROM main.blobs WHERE repo IN (SELECT repo FROM incoming);
                    DELETE FROM main.findings WHERE repo IN (SELECT repo FROM incoming);
                    DELETE FROM main.locations WHERE repo IN (SELECT repo FROM incoming);
                    INSERT OR REPLACE INTO main.repos SELECT * FROM other.repos WHERE repo IN (SELECT repo FROM incoming);
                    INSERT INTO main.blobs SELECT * FROM other.blobs WHERE repo IN (SELECT repo FROM incoming);
                    INSERT INTO main.findings SELECT * FROM other.findings WHERE repo IN (SELECT repo FROM incoming);
                    INSERT INTO main.locations SELECT * FROM other.locations WHERE repo IN (SELECT repo FROM incoming);
                    DROP TABLE temp.incoming;
                    """));
                // A shard's rotation marks (older shards have none) join the merged state's.
                if (Columns("other", "rotation_marks").Count > 0)
                    Exec("INSERT OR IGNORE INTO main.rotation_marks SELECT mark, marked_at FROM other.rotation_marks");
            }
            // The transaction rolled back: the merged state holds exactly the shards merged before this one.
            catch (SqliteException e) { throw BadShardException.From(e); }
            finally
            {
                using var detach = Cmd("DETACH DATABASE other");
                detach.ExecuteNonQuery();
            }
        }
    }

    /// <summary>
    /// The attached shard must be intact (quick_check reads every page: a truncated file fails here, not half-way
    /// through the copy) and have our tables with our columns in our order (the copy is SELECT *).
    /// </summary>
    private void CheckShard()
    {
        using (var check = Cmd("PRAGMA other.quick_check(1)"))
            if (check.ExecuteScalar() is string result && result != "ok") throw new BadShardException($"damaged SQLite file ({result})");
        foreach (var table in new[] { "runs", "repos", "blobs", "findings", "locations" })
        {
            var mine = Columns("main", table);
            var theirs = Columns("other", table);
            if (theirs.Count == 0) throw new BadShardException($"not a KeyGuard state file (no table '{table}')");
            if (!mine.SequenceEqual(theirs)) throw new BadShardException($"not a KeyGuard state file of this version (table '{table}' has other columns)");
        }
    }

    private List<string> Columns(string schema, string table)
    {
        using var c = Cmd("SELECT name FROM pragma_table_info($t, $s) ORDER BY cid", ("$t", table), ("$s", schema));
        using var r = c.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    /// <summary>A consistent copy of the whole state (SQLite online backup), e.g. into a shard's output folder for org-merge.</summary>
    public void BackupTo(string file)
    {
        lock (_gate)
        {
            if (File.Exists(file)) File.Delete(file);
            SecureFile.Ensure(file);
            using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
            target.Open();
            _db.BackupDatabase(target);
        }
    }

    private static string? S(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static long L(SqliteDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetInt64(i);
}

/// <summary>A shard's state file that cannot be merged; the message says why in one line.</summary>
internal sealed class BadShardException(string message) : Exception(message)
{
    internal static BadShardException From(SqliteException e) =>
        new($"not a readable KeyGuard state file (SQLite error {e.SqliteErrorCode}: {e.Message.Split('\n')[0].Replace("SQLite Error " + e.SqliteErrorCode + ": ", "").Trim(' ', '\'', '.')})");
}
