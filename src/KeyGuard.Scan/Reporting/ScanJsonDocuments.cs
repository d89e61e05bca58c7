using System.Text.Json;
using System.Text.Json.Serialization;
using KeyGuard.Findings;
using KeyGuard.Scanning;
using KeyGuard.Suppression;

namespace KeyGuard.Reporting;

// The scan's JSON documents (docs/json-output.md) and the baseline file, as typed records serialised by source
// generation. Property order is declaration order and is part of the contract; a null optional field is left out
// unless it is marked to be written as null.

/// <summary>The scan report, version 1. Findings are mapped lazily, so each one becomes JSON as it is written.</summary>
internal sealed record ScanReportDocument(
    int Version, ToolDocument Tool, IEnumerable<FindingDocument> Findings, IEnumerable<ErrorDocument> Errors,
    IEnumerable<BaselineEntryDocument>? BaselineUnseen, StatsDocument Stats)
{
    public static ScanReportDocument From(ScanResult result, bool showSecrets) => new(
        1, new ToolDocument("keyguard", ReportOptions.ToolVersion),
        result.Findings.Select(f => FindingDocument.From(f, showSecrets)),
        result.Errors.Select(e => new ErrorDocument(e.Path, e.Message)),
        result.BaselineUnseen.Count > 0 ? result.BaselineUnseen.Select(BaselineEntryDocument.From) : null,
        StatsDocument.From(result));
}

internal sealed record ToolDocument(string Name, string Version);

internal sealed record ErrorDocument(string Path, string Message);

internal sealed class FindingDocument
{
    public required string Rule { get; init; }
    public required string Title { get; init; }
    public required string Severity { get; init; }
    public required string Path { get; init; }
    /// <summary>The exact bytes of a path that is not UTF-8 (base64).</summary>
    public byte[]? PathBytes { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }
    public int EndColumn { get; init; }
    public required string Secret { get; init; }
    public required string Fingerprint { get; init; }
    public string? KeyId { get; init; }
    public string? Account { get; init; }
    public string? KeyKind { get; init; }
    public string? Encoding { get; init; }
    public IReadOnlyList<string>? PairedWith { get; init; }
    public required string Source { get; init; }
    public string? Commit { get; init; }
    public string? Author { get; init; }
    public string? Email { get; init; }
    public string? Date { get; init; }
    public IEnumerable<OccurrenceDocument>? Occurrences { get; init; }
    // History sweeps (docs/json-output.md, "History findings").
    public IntroductionDocument? Introduced { get; init; }
    public bool? PresentAtHead { get; init; }
    public StringOrNull? RemovedIn { get; init; }
    public int? OccurrenceCount { get; init; }
    // Org scans' per-repository reports.
    public string? Repository { get; init; }
    public string? Status { get; init; }
    public string? FirstSeen { get; init; }
    public string? LastSeen { get; init; }
    public StringOrNull? RotatedAt { get; init; }
    public KeyFactsDocument? Aws { get; init; }

    /// <summary>Git dates as git shows them: the committer's own offset, seconds, no fraction.</summary>
    public static string GitDate(DateTimeOffset d) => d.ToString("yyyy-MM-ddTHH:mm:ssK");

    public static FindingDocument From(Finding f, bool showSecrets) => new()
    {
        Rule = f.RuleId,
        Title = f.RuleTitle,
        Severity = f.Severity,
        Path = f.Path,
        PathBytes = f.Source.PathBytes,
        Line = f.Line,
        Column = f.Column,
        EndColumn = f.EndColumn,
        Secret = f.Display(showSecrets),
        Fingerprint = f.Fingerprint,
        KeyId = f.KeyId,
        Account = f.Account,
        KeyKind = f.KeyKind,
        Encoding = f.Encoding,
        PairedWith = f.PairedWith.Count > 0 ? f.PairedWith : null,
        Source = ScanReporters.SourceName(f.Source.Kind),
        Commit = f.Source.Commit,
        Author = f.Source.Author,
        Email = f.Source.Email,
        Date = f.Source.Date is { } d ? GitDate(d) : null,
        Occurrences = f.Occurrences.Count > 0
            ? f.Occurrences.Select(o => new OccurrenceDocument(o.Path, o.Line, o.Commit, o.Author, o.Date is { } od ? GitDate(od) : null))
            : null,
        Introduced = f.History is { Introduced: var i }
            ? new IntroductionDocument(i.Commit, i.Author, i.Date is { } id ? GitDate(id) : null, i.Path, i.Line)
            : null,
        PresentAtHead = f.History?.PresentAtHead,
        RemovedIn = f.History is { } h ? new StringOrNull(h.RemovedIn) : null,
        OccurrenceCount = f.History?.OccurrenceCount,
        Repository = f.Tracking?.Repository,
        Status = f.Tracking?.Status,
        FirstSeen = f.Tracking?.FirstSeen,
        LastSeen = f.Tracking?.LastSeen,
        RotatedAt = f.Tracking is { } t ? new StringOrNull(t.RotatedAt) : null,
        Aws = f.Facts is { } facts ? KeyFactsJson.Document(facts) : null,
    };
}

internal sealed record OccurrenceDocument(
    string Path, int Line,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Commit,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Author,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Date);

/// <summary>Every field written, null included: an unreachable blob has no commit, and says so.</summary>
internal sealed record IntroductionDocument(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Commit,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Author,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Date,
    string Path, int Line);

internal sealed class StatsDocument
{
    public int Findings { get; init; }
    public int Errors { get; init; }
    public long FilesScanned { get; init; }
    public long BytesScanned { get; init; }
    public long BinarySkipped { get; init; }
    public long SymlinksSkipped { get; init; }
    /// <summary>Present when not 0.</summary>
    public long? SpecialFilesSkipped { get; init; }
    public long IgnoredByGit { get; init; }
    public long SuppressedInline { get; init; }
    public long SuppressedAllowlist { get; init; }
    public long SuppressedBaseline { get; init; }
    /// <summary>History sweeps only (present when either is not 0).</summary>
    public long? Commits { get; init; }
    public long? Blobs { get; init; }
    public long DurationMs { get; init; }

    public static StatsDocument From(ScanResult result)
    {
        var s = result.Stats;
        bool history = s.Commits > 0 || s.Blobs > 0;
        return new StatsDocument
        {
            Findings = result.Findings.Count,
            Errors = result.Errors.Count,
            FilesScanned = s.FilesScanned,
            BytesScanned = s.BytesScanned,
            BinarySkipped = s.BinarySkipped,
            SymlinksSkipped = s.SymlinksSkipped,
            SpecialFilesSkipped = s.SpecialFilesSkipped > 0 ? s.SpecialFilesSkipped : null,
            IgnoredByGit = s.IgnoredByGit,
            SuppressedInline = s.SuppressedInline,
            SuppressedAllowlist = s.SuppressedAllowlist,
            SuppressedBaseline = s.SuppressedBaseline,
            Commits = history ? s.Commits : null,
            Blobs = history ? s.Blobs : null,
            DurationMs = s.DurationMs,
        };
    }
}

/// <summary>The baseline file, version 1 (read and written whole).</summary>
internal sealed record BaselineDocument(int? Version, string? Note, List<BaselineEntryDocument>? Entries);

/// <summary>
/// One baseline entry; also an entry of the scan report's "baselineUnseen". Fields people add by hand (reason,
/// ticket, …) land in <see cref="Extra"/> and are written back after the known ones.
/// </summary>
internal sealed class BaselineEntryDocument
{
    public string? Fingerprint { get; init; }
    public string? Rule { get; init; }
    public string? KeyId { get; init; }
    public string? Path { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; } // set, not init: the serialiser fills extension data after construction

    public static BaselineEntryDocument From(BaselineEntry e) => new() { Fingerprint = e.Fingerprint, Rule = e.Rule, KeyId = e.KeyId, Path = e.Path };
}

/// <summary>
/// A string field its group always writes, as null when it has none ("removedIn": null in every history finding),
/// where the documents' default leaves null fields out. A null <c>StringOrNull?</c> still leaves the field out.
/// </summary>
[JsonConverter(typeof(StringOrNullConverter))]
internal readonly record struct StringOrNull(string? Value);

internal sealed class StringOrNullConverter : JsonConverter<StringOrNull>
{
    public override bool HandleNull => true;

    public override StringOrNull Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.TokenType == JsonTokenType.Null ? null : reader.GetString());

    public override void Write(Utf8JsonWriter writer, StringOrNull value, JsonSerializerOptions options)
    {
        if (value.Value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value.Value);
    }
}

/// <summary>
/// Source-generated (AOT-safe) serialisation of the scan's documents. Metadata mode: serialising to a stream then
/// takes the resumable path, which hands the output over in chunks instead of building a large report in memory.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ScanReportDocument))]
[JsonSerializable(typeof(SarifLog))]
[JsonSerializable(typeof(BaselineDocument))]
internal sealed partial class ScanJsonContext : JsonSerializerContext;
