using KeyGuard.Compliance;
using KeyGuard.CredentialReport;

namespace KeyGuard.Reporting.Iam;

/// <summary>Judges a credential report and summarises the results into an <see cref="IamComplianceReport"/>.</summary>
public static class IamReportBuilder
{
    public static IamComplianceReport Build(IamCredentialReport report, AccountInputs inputs, CisOptions options, DateTimeOffset now)
    {
        var results = new CisJudge(options).Judge(report, inputs, now);
        return new IamComplianceReport(report.GeneratedAt, now, options, results, Summarise(report, results, now));
    }

    public static IamReportSummary Summarise(IamCredentialReport report, IReadOnlyList<ComplianceResult> results, DateTimeOffset now)
    {
        // One pass over the results: a 10,000-user account has ~50,000 of them.
        var counts = new Dictionary<CisControl, int[]>(ReferenceEqualityComparer.Instance);
        foreach (var control in CisControls.All) counts[control] = new int[3];
        var bySeverity = Enum.GetValues<Severity>().OrderByDescending(s => s).ToDictionary(severity => severity, _ => 0);
        foreach (var result in results)
        {
            counts[result.Control][(int)result.Status]++;
            if (result.IsFailure) bySeverity[result.Severity]++;
        }
        var controls = CisControls.All.Select(control => new ControlSummary(control,
            counts[control][(int)ComplianceStatus.Pass],
            counts[control][(int)ComplianceStatus.Fail],
            counts[control][(int)ComplianceStatus.NotEvaluated])).ToList();

        var (buckets, undated) = KeyAgeDistribution.Of(report, now);
        return new IamReportSummary(
            report.Users.Count(),
            controls.Sum(c => c.Pass),
            controls.Sum(c => c.Fail),
            controls.Sum(c => c.NotEvaluated),
            controls, bySeverity, buckets, undated);
    }
}

/// <summary>Buckets the active access keys (root's too) by age: 0-30, 31-90, 91-180, 181-365, >365 days.</summary>
public static class KeyAgeDistribution
{
    private static readonly (string Label, int Min, int? Max)[] Buckets =
        [("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("181-365", 181, 365), (">365", 366, null)];

    public static (IReadOnlyList<KeyAgeBucket> Buckets, int Undated) Of(IamCredentialReport report, DateTimeOffset now)
    {
        var counts = new int[Buckets.Length];
        var undated = 0;
        foreach (var key in report.Rows.SelectMany(row => row.ActiveAccessKeys))
        {
            if (key.LastRotated.DaysBefore(now) is not { } days)
            {
                undated++;
                continue;
            }
            counts[Array.FindIndex(Buckets, b => days >= b.Min && (b.Max is null || days <= b.Max))]++;
        }
        return (Buckets.Select((b, i) => new KeyAgeBucket(b.Label, b.Min, b.Max, counts[i])).ToList(), undated);
    }
}
