using System.Globalization;
using System.Text.Json;

namespace KeyGuard.Planning;

/// <summary>The plan's JSON form (version 1): written by <c>keyguard plan</c>, read back by <c>keyguard apply</c>.</summary>
internal static class PlanJson
{
    private static string Time(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static void Write(PlanDocument doc, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("version", doc.Version);
        w.WriteString("generated", Time(doc.Generated));
        w.WriteStartArray("plans");
        foreach (var p in doc.Plans)
        {
            w.WriteStartObject();
            w.WriteString("keyId", p.KeyId);
            w.WriteString("kind", p.Kind);
            w.WriteString("severity", p.Severity);
            if (p.Account != null) w.WriteString("account", p.Account);
            if (p.UserName != null) w.WriteString("userName", p.UserName);
            if (p.Alert != null) w.WriteString("alert", p.Alert);
            w.WriteStartArray("evidence");
            foreach (var e in p.Evidence) w.WriteStringValue(e);
            w.WriteEndArray();
            w.WriteStartArray("steps");
            foreach (var s in p.Steps)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteString("action", ActionName(s.Action));
                w.WriteString("title", s.Title);
                w.WriteString("reason", s.Reason);
                if (s.Cli != null) w.WriteString("cli", s.Cli);
                if (s.Api != null) w.WriteString("api", s.Api);
                w.WriteBoolean("automatable", s.Automatable);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string ActionName(StepAction a) => a switch
    {
        StepAction.Investigate => "investigate",
        StepAction.Deactivate => "deactivate",
        StepAction.RevokeSessions => "revoke-sessions",
        StepAction.Create => "create",
        StepAction.Delete => "delete",
        StepAction.Purge => "purge",
        StepAction.Notify => "notify",
        StepAction.Wait => "wait",
        _ => "manual",
    };

    private static StepAction ParseAction(string s, string file) => s switch
    {
        "investigate" => StepAction.Investigate,
        "deactivate" => StepAction.Deactivate,
        "revoke-sessions" => StepAction.RevokeSessions,
        "create" => StepAction.Create,
        "delete" => StepAction.Delete,
        "purge" => StepAction.Purge,
        "notify" => StepAction.Notify,
        "wait" => StepAction.Wait,
        "manual" => StepAction.Manual,
        _ => throw new InvalidInputException($"{file}: unknown step action '{s}'"),
    };

    public static PlanDocument Read(string file)
    {
        if (!File.Exists(file)) throw new InvalidInputException($"{file}: plan file not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            if (!root.TryGetProperty("version", out var v) || v.GetInt32() != 1 || !root.TryGetProperty("plans", out var plans))
                throw new InvalidInputException($"{file}: not a KeyGuard plan (version 1)");
            string? Opt(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            string Req(JsonElement e, string name, string where) => Opt(e, name) ?? throw new InvalidInputException($"{file}: {where} has no '{name}'");
            var list = new List<KeyPlan>();
            int i = 0;
            foreach (var p in plans.EnumerateArray())
            {
                i++;
                var where = $"plan {i}";
                var steps = p.GetProperty("steps").EnumerateArray().Select((s, j) => new PlanStep(
                    Req(s, "id", $"{where} step {j + 1}"), ParseAction(Req(s, "action", $"{where} step {j + 1}"), file), Req(s, "title", $"{where} step {j + 1}"),
                    Opt(s, "reason") ?? "", Opt(s, "cli"), Opt(s, "api"),
                    s.TryGetProperty("automatable", out var a) && a.ValueKind == JsonValueKind.True)).ToList();
                list.Add(new KeyPlan(Req(p, "keyId", where), Req(p, "kind", where), Opt(p, "severity") ?? "medium", Opt(p, "account"), Opt(p, "userName"),
                    Opt(p, "alert"), p.TryGetProperty("evidence", out var ev) ? ev.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [], steps));
            }
            var generated = DateTimeOffset.Parse(Req(root, "generated", "the plan"), CultureInfo.InvariantCulture);
            return new PlanDocument(1, generated, list);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidInputException($"{file}: not a valid KeyGuard plan: {e.Message.Split('.')[0]}");
        }
    }
}
