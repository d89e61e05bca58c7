using System.Globalization;
using System.Text.Json;
using KeyGuard.Aws;

namespace KeyGuard.Findings;

/// <summary>
/// The one JSON shape of <see cref="KeyFacts"/> (docs/aws.md, "Fields"): a key in `inspect -f json`, the "aws" object
/// of a `scan --verify` finding (and its "aws.*" SARIF properties), and what `plan --offline` reads back.
/// </summary>
internal static class KeyFactsJson
{
    /// <summary>The facts as properties of the object being written; <paramref name="prefix"/> goes before each name (SARIF: "aws.").</summary>
    public static void WriteProperties(Utf8JsonWriter w, KeyFacts f, string prefix = "")
    {
        w.WriteString(prefix + "keyId", f.KeyId);
        w.WriteString(prefix + "kind", AccessKeyId.KindName(f.Kind));
        w.WriteString(prefix + "account", f.Account);
        w.WriteString(prefix + "accountSource", AccountSourceName(f.AccountSource));
        w.WriteString(prefix + "ownership", OwnershipName(f.Ownership));
        w.WriteString(prefix + "canary", f.CanarySource);
        w.WriteString(prefix + "userName", f.UserName);
        w.WriteString(prefix + "status", StatusName(f.Status));
        WriteDate(w, prefix + "createDate", f.CreateDate);
        if (f.AgeDays is { } age) w.WriteNumber(prefix + "ageDays", age); else w.WriteNull(prefix + "ageDays");
        WriteDate(w, prefix + "lastUsedDate", f.LastUsedDate);
        w.WriteString(prefix + "lastUsedService", f.LastUsedService);
        w.WriteString(prefix + "lastUsedRegion", f.LastUsedRegion);
        w.WriteBoolean(prefix + "quarantinePolicyAttached", f.QuarantinePolicyAttached);
        w.WriteStartArray(prefix + "quarantinePolicies");
        foreach (var p in f.QuarantinePolicies) w.WriteStringValue(p);
        w.WriteEndArray();
        w.WriteString(prefix + "severity", SeverityName(f.Severity));
        w.WriteString(prefix + "error", f.Error);
        w.WriteStartObject(prefix + "liveCheck");
        w.WriteString("result", LiveName(f.LiveCheck.Result));
        w.WriteString("arn", f.LiveCheck.Arn);
        w.WriteString("message", f.LiveCheck.Message);
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, KeyFacts f)
    {
        w.WriteStartObject();
        WriteProperties(w, f);
        w.WriteEndObject();
    }

    /// <summary>Facts written by <see cref="Write"/> (or by an older `scan --verify`, whose liveCheck was a bare string).</summary>
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

    private static void WriteDate(Utf8JsonWriter w, string name, DateTimeOffset? d)
    {
        if (d is { } v) w.WriteString(name, Date(v));
        else w.WriteNull(name);
    }

    public static string Date(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string SeverityName(Severity s) => s.ToString().ToLowerInvariant();
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
