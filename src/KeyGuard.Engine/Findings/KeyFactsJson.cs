using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using KeyGuard.Aws;

namespace KeyGuard.Findings;

/// <summary>
/// The one JSON shape of <see cref="KeyFacts"/> (docs/aws.md, "Fields"): a key in `inspect -f json`, the "aws" object
/// of a `scan --verify` finding (and its "aws.*" SARIF properties), and what `plan --offline` reads back. Every field
/// is written, null included: readers see the same keys whatever IAM answered.
/// </summary>
internal sealed record KeyFactsDocument(
    string KeyId, string Kind, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Account, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? AccountSource, string Ownership,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Canary, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? UserName, string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? CreateDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? AgeDays, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastUsedDate, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastUsedService,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastUsedRegion, bool QuarantinePolicyAttached, IReadOnlyList<string> QuarantinePolicies, string Severity,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Error, LiveCheckDocument LiveCheck);

internal sealed record LiveCheckDocument(string Result, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Arn, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Message);

/// <summary>Source-generated (AOT-safe) serialisation of the engine's documents; the later stages' contexts include them too.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(KeyFactsDocument))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;

internal static class KeyFactsJson
{
    public static KeyFactsDocument Document(KeyFacts f) => new(
        f.KeyId, AccessKeyId.KindName(f.Kind), f.Account, AccountSourceName(f.AccountSource), OwnershipName(f.Ownership), f.CanarySource,
        f.UserName, StatusName(f.Status), f.CreateDate is { } c ? Date(c) : null, f.AgeDays, f.LastUsedDate is { } u ? Date(u) : null,
        f.LastUsedService, f.LastUsedRegion, f.QuarantinePolicyAttached, f.QuarantinePolicies, SeverityName(f.Severity), f.Error,
        new LiveCheckDocument(LiveName(f.LiveCheck.Result), f.LiveCheck.Arn, f.LiveCheck.Message));

    /// <summary>Facts written as a <see cref="KeyFactsDocument"/> (or by an older `scan --verify`, whose liveCheck was a bare string).</summary>
    public static KeyFacts Read(string keyId, JsonElement e)
    {
        string? S(string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        DateTimeOffset? D(string name) => S(name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
        var policies = e.TryGetProperty("quarantinePolicies", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : e.TryGetProperty("quarantinePolicyAttached", out var q) && q.ValueKind == JsonValueKind.True ? ["AWSCompromisedKeyQuarantine"] : [];
        LiveCheck live = LiveCheck.NotRequested;
        if (e.TryGetProperty("liveCheck", out var lc))
        {
            string? result = lc.ValueKind switch
            {
                JsonValueKind.Object when lc.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.String => r.GetString(),
                JsonValueKind.String => lc.GetString(),
                _ => null,
            };
            string? Inner(string name) => lc.ValueKind == JsonValueKind.Object && lc.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (ParseLive(result) is { } parsed) live = new LiveCheck(parsed, Inner("arn"), Inner("message"));
        }
        return new KeyFacts
        {
            KeyId = keyId,
            Account = S("account"),
            AccountSource = S("accountSource") switch { "decoded" => AccountSource.Decoded, "sts:GetAccessKeyInfo" => AccountSource.GetAccessKeyInfo, _ => AccountSource.None },
            Ownership = S("ownership") switch { "ours" => Ownership.Ours, "other-account" => Ownership.OtherAccount, _ => Ownership.Unknown },
            CanarySource = S("canary"),
            UserName = S("userName"),
            Status = S("status") switch { "active" => KeyStatus.Active, "inactive" => KeyStatus.Inactive, "deleted-or-not-found" => KeyStatus.Deleted, _ => KeyStatus.Unknown },
            CreateDate = D("createDate"),
            AgeDays = e.TryGetProperty("ageDays", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetInt32(out var age) ? age : null,
            LastUsedDate = D("lastUsedDate"),
            LastUsedService = S("lastUsedService"),
            LastUsedRegion = S("lastUsedRegion"),
            QuarantinePolicies = policies,
            Severity = S("severity") switch { "critical" => Severity.Critical, "medium" => Severity.Medium, "low" => Severity.Low, _ => Severity.High },
            Error = S("error"),
            LiveCheck = live,
        };
    }

    public static string Date(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string SeverityName(Severity s) => s.Name();
    public static string StatusName(KeyStatus s) => s switch { KeyStatus.Deleted => "deleted-or-not-found", _ => s.ToString().ToLowerInvariant() };
    public static string OwnershipName(Ownership o) => o switch { Ownership.Ours => "ours", Ownership.OtherAccount => "other-account", _ => "unknown" };
    public static string? AccountSourceName(AccountSource s) => s switch { AccountSource.Decoded => "decoded", AccountSource.GetAccessKeyInfo => "sts:GetAccessKeyInfo", _ => null };

    public static string LiveName(LiveCheckResult r) => r switch
    {
        LiveCheckResult.NotRequested => "not-requested",
        LiveCheckResult.NoSecret => "no-secret",
        LiveCheckResult.SkippedCanary => "skipped-canary",
        LiveCheckResult.SkippedNotOurs => "skipped-not-ours",
        LiveCheckResult.NotLive => "not-live",
        LiveCheckResult.WrongSecret => "wrong-secret",
        _ => r.ToString().ToLowerInvariant(),
    };

    private static LiveCheckResult? ParseLive(string? name) => name switch
    {
        "not-requested" or "notrequested" or null => null,
        "no-secret" or "nosecret" => LiveCheckResult.NoSecret,
        "skipped-canary" or "skippedcanary" => LiveCheckResult.SkippedCanary,
        "skipped-not-ours" => LiveCheckResult.SkippedNotOurs,
        "live" => LiveCheckResult.Live,
        "not-live" or "notlive" => LiveCheckResult.NotLive,
        "wrong-secret" or "wrongsecret" => LiveCheckResult.WrongSecret,
        _ => LiveCheckResult.Error,
    };
}
