using KeyGuard.CredentialReport;
using KeyGuard.Findings;

namespace KeyGuard.Compliance;

/// <summary>Runs every CIS IAM credential control over a credential report.</summary>
internal sealed class CisJudge
{
    private readonly CisOptions _options;
    private readonly IReadOnlyList<ICisCheck> _checks;

    public CisJudge(CisOptions? options = null)
    {
        _options = options ?? new CisOptions();
        _options.Validate();
        _checks =
        [
            new NoRootAccessKeysCheck(), new RootMfaCheck(), new RootHardwareMfaCheck(), new AvoidRootUseCheck(),
            new PasswordMinimumLengthCheck(), new PasswordReuseCheck(), new ConsoleUserMfaCheck(),
            new NoKeysAtInitialSetupCheck(), new UnusedCredentialsCheck(), new OneActiveKeyCheck(), new KeyRotationCheck(),
            new PasswordUppercaseCheck(), new PasswordLowercaseCheck(), new PasswordNumberCheck(), new PasswordSymbolCheck(),
            new PasswordExpiryCheck(),
        ];
    }

    /// <summary>Results ordered by risk (see <see cref="RiskOrder"/>), so every output lists them the same way.</summary>
    public IReadOnlyList<ComplianceResult> Judge(IamCredentialReport report, AccountInputs inputs, DateTimeOffset now)
    {
        var context = new CisContext(report, inputs, _options, now);
        var results = _checks.SelectMany(check => check.Evaluate(context)).ToList();
        results.Sort(RiskOrder.Instance);
        return results;
    }
}

/// <summary>Failures first, then severity (worst first), then age (oldest first), then a stable tie-break.</summary>
internal sealed class RiskOrder : IComparer<ComplianceResult>
{
    public static RiskOrder Instance { get; } = new();

    public int Compare(ComplianceResult? x, ComplianceResult? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return 1;
        if (y is null) return -1;
        int c;
        if ((c = StatusRank(x.Status).CompareTo(StatusRank(y.Status))) != 0) return c;
        if ((c = y.Severity.CompareTo(x.Severity)) != 0) return c;
        if ((c = (y.AgeDays ?? -1).CompareTo(x.AgeDays ?? -1)) != 0) return c;
        if ((c = string.CompareOrdinal(x.User, y.User)) != 0) return c;
        if ((c = x.Control.SortKey.CompareTo(y.Control.SortKey)) != 0) return c;
        if ((c = (x.KeySlot ?? 0).CompareTo(y.KeySlot ?? 0)) != 0) return c;
        return string.CompareOrdinal(x.Evidence, y.Evidence);
    }

    private static int StatusRank(ComplianceStatus status) => status switch
    {
        ComplianceStatus.Fail => 0,
        ComplianceStatus.NotEvaluated => 1,
        ComplianceStatus.Note => 2,
        _ => 3,
    };
}
