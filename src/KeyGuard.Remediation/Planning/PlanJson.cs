using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KeyGuard.Planning;

/// <summary>The plan's JSON form (version 1): written by <c>keyguard plan</c>, read back by <c>keyguard apply</c>.</summary>
internal static class PlanJson
{
    private static string Time(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string ToText(PlanDocument doc)
    {
        using var buffer = new MemoryStream();
        Write(doc, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Write(PlanDocument doc, Stream output) =>
        JsonSerializer.Serialize(output, Document(doc), PlanJsonContext.Default.PlanFileDocument);

    internal static PlanFileDocument Document(PlanDocument doc) => new(doc.Version, Time(doc.Generated), doc.Plans.Select(p => new KeyPlanDocument(
        p.KeyId, p.Kind, p.Severity, p.Account, p.UserName, p.Alert, p.Evidence.ToList<string?>(),
        p.Steps.Select(s => new PlanStepDocument(s.Id, ActionName(s.Action), s.Title, s.Reason, s.Cli, s.Api, s.Automatable)).ToList<PlanStepDocument?>())).ToList<KeyPlanDocument?>());

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
            var doc = JsonSerializer.Deserialize(File.ReadAllBytes(file), PlanJsonContext.Default.PlanFileDocument);
            if (doc is not { Version: 1, Plans: { } plans }) throw new InvalidInputException($"{file}: not a KeyGuard plan (version 1)");
            string Req(string? value, string name, string where) => value ?? throw new InvalidInputException($"{file}: {where} has no '{name}'");
            var list = new List<KeyPlan>();
            int i = 0;
            foreach (var p in plans)
            {
                i++;
                var where = $"plan {i}";
                if (p?.Steps is not { } stepList) throw new InvalidInputException($"{file}: not a valid KeyGuard plan: {where} has no 'steps'");
                var steps = stepList.Select((s, j) =>
                {
                    var at = $"{where} step {j + 1}";
                    return new PlanStep(Req(s?.Id, "id", at), ParseAction(Req(s?.Action, "action", at), file), Req(s?.Title, "title", at),
                        s?.Reason ?? "", s?.Cli, s?.Api, s?.Automatable == true);
                }).ToList();
                list.Add(new KeyPlan(Req(p.KeyId, "keyId", where), Req(p.Kind, "kind", where), p.Severity ?? "medium", p.Account, p.UserName,
                    p.Alert, p.Evidence?.Select(x => x ?? "").ToList() ?? [], steps));
            }
            var generated = DateTimeOffset.Parse(Req(doc.Generated, "generated", "the plan"), CultureInfo.InvariantCulture);
            return new PlanDocument(1, generated, list);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidInputException($"{file}: not a valid KeyGuard plan: {e.Message.Split('.')[0]}");
        }
    }
}

/// <summary>
/// The plan file (version 1), for writing and reading. Fields are nullable so that a hand-edited plan missing one is
/// named in the error (<see cref="PlanJson.Read"/>) rather than failing inside the serialiser.
/// </summary>
internal sealed record PlanFileDocument(int? Version, string? Generated, List<KeyPlanDocument?>? Plans);

internal sealed record KeyPlanDocument(
    string? KeyId, string? Kind, string? Severity, string? Account, string? UserName, string? Alert, List<string?>? Evidence,
    List<PlanStepDocument?>? Steps);

internal sealed record PlanStepDocument(string? Id, string? Action, string? Title, string? Reason, string? Cli, string? Api, bool? Automatable);

/// <summary>One line of apply's JSON-lines audit log. "call" and "user" are written even when null (a manual step, no user).</summary>
internal sealed record AuditRecord(
    string? Time, string? Recorded, string? Step, string? Action,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Call,
    string? Key,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? User,
    string? Result, string? Detail, IReadOnlyList<string?>? UnknownKeys);

/// <summary>A replacement key apply created, appended to --new-keys (mode 0600): the only place its secret is written.</summary>
internal sealed record NewKeyRecord(string User, string Replaces, string AccessKeyId, string SecretAccessKey);

/// <summary>
/// Source-generated (AOT-safe) serialisation of plans, the audit log and new keys. Indented for plan files; the
/// JSON-lines files are written through a plain writer, one object per line.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(PlanFileDocument))]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(NewKeyRecord))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
