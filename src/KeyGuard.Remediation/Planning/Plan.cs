namespace KeyGuard.Planning;

/// <summary>What a step does. Only Deactivate, Create and Delete are carried out by <c>keyguard apply</c>.</summary>
internal enum StepAction { Investigate, Deactivate, RevokeSessions, Create, Delete, Purge, Notify, Manual, Wait }

internal sealed record PlanStep(
    string Id,
    StepAction Action,
    string Title,
    string Reason,
    string? Cli,
    string? Api,
    bool Automatable);

/// <summary>The plan for one key: why it matters, then ordered steps.</summary>
internal sealed record KeyPlan(
    string KeyId,
    string Kind,              // leaked-active, leaked-inactive, leaked-unknown, foreign, root, stale-rotate, stale-unused
    string Severity,          // critical, high, medium, low
    string? Account,
    string? UserName,
    string? Alert,            // possible misuse: said first and loudly
    IReadOnlyList<string> Evidence,
    IReadOnlyList<PlanStep> Steps);

internal sealed record PlanDocument(int Version, DateTimeOffset Generated, IReadOnlyList<KeyPlan> Plans);
