using System.Text.Json.Serialization;

namespace KeyGuard.Org;

// The org scan's JSON documents: summary.json (version 1, docs/org-scan.md) and the JSON-lines events. Typed records
// serialised by source generation; property order is declaration order and is part of the contract; null optional
// fields are left out.

internal sealed record SummaryDocument(
    int Version, string Generated, RunDocument? Run, TotalsDocument Totals, IEnumerable<RepositoryDocument> Repositories,
    IEnumerable<KeyDocument> Keys, IEnumerable<SummaryFindingDocument> Findings, string? Plans);

internal sealed record RunDocument(long Id, string Started, string? Finished, string? Shard);

internal sealed record TotalsDocument(int Repositories, int Failed, long Commits, long Blobs, int New, int Open, int Rotated, int Resolved);

internal sealed record RepositoryDocument(
    string Repo, string? Location, string Outcome, string? Error, long LastRun, string? ScannedAt, string? Shard,
    long Commits, long Blobs, long Bytes, long DurationMs, int New, int Open, int Rotated, int Resolved, string Report);

/// <summary>One distinct key across repositories; its findings by fingerprint.</summary>
internal sealed record KeyDocument(
    string Key, string? KeyId, string Severity, string Status, string? Owner, bool SecretLeaked, string ExposedSince,
    IReadOnlyList<string> Repositories, IEnumerable<string> Fingerprints);

/// <summary>A finding of the summary: never the secret, only its redacted form; the first place it was seen.</summary>
/// <param name="Risk">The severity the summaries sort by: the plan's once IAM facts (--verify) sharpened it, else the rule's.</param>
internal sealed record SummaryFindingDocument(
    string Repo, string Status, string Rule, string Severity, string Risk, string? Owner, string Fingerprint, string Secret,
    string? KeyId, string? Account, string FirstSeen, string LastSeen, string ExposedSince, string? ResolvedAt, string? RotatedAt,
    string? Path, int? Line, string? Commit, int Places);

/// <summary>One line of the JSON-lines event log.</summary>
internal sealed record OrgEvent(string Time, string Repo, string Event, long? Blobs, long? Findings, long? New, string? Error, string? Message);

/// <summary>
/// Source-generated (AOT-safe) serialisation for the org scan: its documents, and the ref tips kept in the state
/// database. Not indented here: summary.json goes through an indented writer, events stay one line each.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SummaryDocument))]
[JsonSerializable(typeof(OrgEvent))]
internal sealed partial class OrgJsonContext : JsonSerializerContext;
