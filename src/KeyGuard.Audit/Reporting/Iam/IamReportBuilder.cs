using KeyGuard.Compliance;
using KeyGuard.CredentialReport;
using KeyGuard.Findings;

namespace KeyGuard.Reporting.Iam;

/// <summary>Judges a credential report and summarises the results into an <see cref="IamComplianceReport"/>.</summary>
internal static class IamReportBuilder
{
    /// <param name="baseline">The judged account baseline, or null when it was not read (offline report, --no-baseline).</param>
    public static IamComplianceReport Build(IamCredentialReport report, AccountInputs inputs, CisOptions options, DateTimeOffset now,
        IReadOnlyList<ComplianceResult>? baseline = null)
    {
        var results = new CisJudge(options).Judge(report, inputs, now);
        if (baseline is not null)
        {
            var all = results.Concat(baseline).ToList();
            all.Sort(RiskOrder.Instance);
            results = all;
        }
        return new IamComplianceReport(report.GeneratedAt, now, options, results, Summarise(report, results, now, baseline is not null))
        {
            HasBaseline = baseline is not null,
            Account = AccountOf(report),
        };
    }

    /// <summary>The account in the rows' ARNs (arn:PARTITION:iam::ACCOUNT:user/…).</summary>
    private static string? AccountOf(IamCredentialReport report) =>
        report.Rows.Select(row => row.Arn.Split(':')).FirstOrDefault(parts => parts.Length >= 6 && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit)) is { } arn
            ? arn[4] : null;

    public static IamReportSummary Summarise(IamCredentialReport report, IReadOnlyList<ComplianceResult> results, DateTimeOffset now, bool withBaseline = false)
    {
        var all = withBaseline ? CisControls.All.Concat(KeyGuard.Compliance.Baseline.BaselineControls.All).ToList() : CisControls.All;
        // One pass over the results: a 10,000-user account has ~50,000 of them.
        var counts = new Dictionary<CisControl, int[]>(ReferenceEqualityComparer.Instance);
        foreach (var control in all) counts[control] = new int[4];
        var bySeverity = Enum.GetValues<Severity>().OrderByDescending(s => s).ToDictionary(severity => severity, _ => 0);
        foreach (var result in results)
        {
            counts[result.Control][(int)result.Status]++;
            if (result.IsFailure) bySeverity[result.Severity]++;
        }
        var controls = all.Select(control => new ControlSummary(control,
            counts[control][(int)ComplianceStatus.Pass],
            counts[control][(int)ComplianceStatus.Fail],
            counts[control][(int)ComplianceStatus.NotEvaluated],
            counts[control][(int)ComplianceStatus.Note])).ToList();

        var (buckets, undated) = KeyAgeDistribution.Of(report, now);
        return new IamReportSummary(
            report.Users.Count(),
            controls.Sum(c => c.Pass),
            controls.Sum(c => c.Fail),
            controls.Sum(c => c.NotEvaluated),
            controls, bySeverity, buckets, undated, controls.Sum(c => c.Note));
    }
}

/// <summary>Buckets the active access keys (root's too) by age: 0-30, 31-90, 91-180, 181-365, >365 days.</summary>
internal static class KeyAgeDistribution
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
