using KeyGuard.Compliance;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>The findings of one control: the worst ones listed (all, or --top N), and how many more there are.</summary>
internal sealed record ControlGroup(CisControl Control, int Fail, int NotEvaluated, IReadOnlyList<ComplianceResult> Listed, int More);

/// <summary>One user's failing results, worst first.</summary>
internal sealed record UserGroup(string User, string Arn, IReadOnlyList<ComplianceResult> Failures)
{
    public Severity Worst => Failures[0].Severity;

    /// <summary>"1.14 key 1, 1.12 key 2, 1.10": the failing controls, each once per key.</summary>
    public string Controls => string.Join(", ", Failures.Select(r =>
        ReportText.Number(r.Control.Control) + (r.KeySlot is { } slot ? $" key {slot}" : "")));
}

/// <summary>The users with failures: the worst ones listed (all, or --top N), and how many more there are.</summary>
internal sealed record UserGroups(IReadOnlyList<UserGroup> Listed, int Total)
{
    public int More => Total - Listed.Count;
}

/// <summary>
/// Groups the credential findings by control and the failures by user, so a 10,000-user account reads as a dozen
/// control sections and a ranked list of users instead of 15,000 rows. <see cref="IamComplianceReport.Top"/> keeps the
/// N worst of each group (a caller may pass its own default). Baseline results are not grouped: they have their own short section.
/// </summary>
internal static class FailureGroups
{
    /// <summary>Controls in the order of their worst finding (findings are already in risk order).</summary>
    public static IReadOnlyList<ControlGroup> ByControl(IamComplianceReport report, int? top = null)
    {
        top ??= report.Top;
        var byControl = new Dictionary<CisControl, List<ComplianceResult>>(ReferenceEqualityComparer.Instance);
        var order = new List<CisControl>();
        foreach (var result in report.Findings)
        {
            if (!byControl.TryGetValue(result.Control, out var list))
            {
                byControl[result.Control] = list = [];
                order.Add(result.Control);
            }
            list.Add(result);
        }
        return order.Select(control =>
        {
            var results = byControl[control];
            var listed = Limit(results, top);
            return new ControlGroup(control, results.Count(r => r.IsFailure), results.Count(r => !r.IsFailure), listed, results.Count - listed.Count);
        }).ToList();
    }

    /// <summary>Users (root included) by their worst failure, then by how many failures they have, then by their worst failure's risk order.</summary>
    public static UserGroups ByUser(IamComplianceReport report, int? top = null)
    {
        top ??= report.Top;
        var byUser = new Dictionary<(string User, string Arn), List<ComplianceResult>>();
        var firstSeen = new List<(string User, string Arn)>();
        foreach (var result in report.Findings)
        {
            // The password-policy results are about the account, not a user: they stay in their control's group.
            if (!result.IsFailure || result.User == CisContext.AccountSubject) continue;
            var key = (result.User, result.Arn);
            if (!byUser.TryGetValue(key, out var list))
            {
                byUser[key] = list = [];
                firstSeen.Add(key);
            }
            list.Add(result);
        }
        var ranked = firstSeen
            .Select((key, rank) => (Group: new UserGroup(key.User, key.Arn, byUser[key]), Rank: rank))
            .OrderByDescending(u => u.Group.Worst)
            .ThenByDescending(u => u.Group.Failures.Count)
            .ThenBy(u => u.Rank)
            .Select(u => u.Group)
            .ToList();
        return new UserGroups(Limit(ranked, top), ranked.Count);
    }

    private static IReadOnlyList<T> Limit<T>(List<T> items, int? top) =>
        top is { } n && items.Count > n ? items.GetRange(0, n) : items;
}
