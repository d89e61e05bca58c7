using KeyGuard.CredentialReport;

namespace KeyGuard.Compliance;

/// <summary>CIS 1.10 (v5 1.9): every IAM user with a console password has MFA. Root has its own control.</summary>
internal sealed class ConsoleUserMfaCheck : ICisCheck
{
    public CisControl Control => CisControls.ConsoleUserMfa;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        foreach (var user in context.Report.Users.Where(user => user.HasConsolePassword))
            yield return user.MfaActive
                ? new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.Pass, "console user has MFA enabled")
                : new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.Fail,
                    $"console password enabled without MFA; user created {EvidenceText.DateWithAge(user.UserCreationTime, context.Now)}",
                    AgeDays: EvidenceText.AgeInDays(user.UserCreationTime, context.Now));
    }
}

/// <summary>
/// CIS 1.11 (v5 1.10): a console user's active key that was never used (prowler: active, last_used_date N/A,
/// password enabled) is a key made "just in case" at setup.
/// </summary>
internal sealed class NoKeysAtInitialSetupCheck : ICisCheck
{
    public CisControl Control => CisControls.NoKeysAtInitialSetup;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        foreach (var user in context.Report.Users.Where(user => user.HasConsolePassword))
        foreach (var key in user.ActiveAccessKeys)
        {
            var created = key.LastRotated.Value is { } date ? $"created {EvidenceText.DateWithAge(date, context.Now)}" : "creation date unknown";
            var age = key.LastRotated.DaysBefore(context.Now);
            if (!context.Report.HasLastUsedColumns)
                yield return new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.NotEvaluated,
                    $"access key {key.Slot}, {created}: the report has no last-used columns (older 16-column format)", key.Slot, age);
            else if (key.LastUsedDate.Value is { } used)
                yield return new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.Pass,
                    $"access key {key.Slot}, {created}, is in use: last used {EvidenceText.DateWithAge(used, context.Now)}", key.Slot, age);
            else
                yield return new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.Fail,
                    $"console user has active access key {key.Slot}, {created}, that was never used", key.Slot, age);
        }
    }
}

/// <summary>
/// CIS 1.12 (v5 1.11): active credentials unused for the limit (45 days) or more.
/// As the CIS audit says, a never-used password or key is judged by when it was set (password_last_changed,
/// access_key_N_last_rotated); prowler skips never-used keys, which lets a years-old unused key pass.
/// </summary>
internal sealed class UnusedCredentialsCheck : ICisCheck
{
    public CisControl Control => CisControls.UnusedCredentials;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        foreach (var user in context.Report.Users)
        {
            if (user.HasConsolePassword)
                yield return JudgePassword(user, context);
            foreach (var key in user.ActiveAccessKeys)
                yield return JudgeKey(user, key, context);
        }
    }

    private ComplianceResult JudgePassword(CredentialReportRow user, CisContext context)
    {
        var limit = context.Options.MaxUnusedDays;
        if (user.PasswordLastUsed.Value is { } used)
            return Verdict(user, null, EvidenceText.AgeInDays(used, context.Now),
                $"console password last used {EvidenceText.DateWithAgeAndLimit(used, context.Now, "limit", limit)}", context);
        var setAt = user.PasswordLastChanged.Value ?? user.UserCreationTime;
        return Verdict(user, null, EvidenceText.AgeInDays(setAt, context.Now),
            $"console password never used; set {EvidenceText.DateWithAgeAndLimit(setAt, context.Now, "limit", limit)}", context);
    }

    private ComplianceResult JudgeKey(CredentialReportRow user, AccessKeyColumns key, CisContext context)
    {
        var limit = context.Options.MaxUnusedDays;
        if (!context.Report.HasLastUsedColumns)
            return new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.NotEvaluated,
                $"access key {key.Slot}: the report has no last-used columns (older 16-column format)", key.Slot);
        if (key.LastUsedDate.Value is { } used)
            return Verdict(user, key.Slot, EvidenceText.AgeInDays(used, context.Now),
                $"access key {key.Slot} last used {EvidenceText.DateWithAgeAndLimit(used, context.Now, "limit", limit)}", context);
        if (key.LastRotated.Value is { } created)
            return Verdict(user, key.Slot, EvidenceText.AgeInDays(created, context.Now),
                $"access key {key.Slot} never used; created {EvidenceText.DateWithAgeAndLimit(created, context.Now, "limit", limit)}", context);
        return new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.NotEvaluated,
            $"access key {key.Slot} is active but the report gives neither a last-used nor a creation date", key.Slot);
    }

    private ComplianceResult Verdict(CredentialReportRow user, int? slot, int days, string evidence, CisContext context) =>
        new(user.User, user.Arn, Control,
            days >= context.Options.MaxUnusedDays ? ComplianceStatus.Fail : ComplianceStatus.Pass,
            evidence, slot, days);
}

/// <summary>CIS 1.13 (v5 1.12): at most one active access key per user.</summary>
internal sealed class OneActiveKeyCheck : ICisCheck
{
    public CisControl Control => CisControls.OneActiveKey;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        foreach (var user in context.Report.Users)
        {
            var active = user.ActiveAccessKeys.ToList();
            if (active.Count == 0) continue;
            var described = string.Join(" and ", active.Select(key => Describe(key, context.Now)));
            yield return active.Count == 1
                ? new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.Pass, $"one active access key: {described}")
                : new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.Fail, $"two active access keys: {described}",
                    AgeDays: active.Max(key => key.LastRotated.DaysBefore(context.Now)));
        }
    }

    private static string Describe(AccessKeyColumns key, DateTimeOffset now) => key.LastRotated.Value is { } created
        ? $"key {key.Slot} created {EvidenceText.Date(created)}"
        : $"key {key.Slot}";
}

/// <summary>CIS 1.14 (v5 1.13): active access keys are rotated within 90 days (configurable).</summary>
internal sealed class KeyRotationCheck : ICisCheck
{
    public CisControl Control => CisControls.KeyRotation;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        var limit = context.Options.MaxKeyAgeDays;
        foreach (var user in context.Report.Users)
        foreach (var key in user.ActiveAccessKeys)
        {
            if (key.LastRotated.Value is not { } rotated)
            {
                yield return new ComplianceResult(user.User, user.Arn, Control, ComplianceStatus.NotEvaluated,
                    $"access key {key.Slot} is active but access_key_{key.Slot}_last_rotated is {key.LastRotated}", key.Slot);
                continue;
            }
            var days = EvidenceText.AgeInDays(rotated, context.Now);
            yield return new ComplianceResult(user.User, user.Arn, Control,
                days > limit ? ComplianceStatus.Fail : ComplianceStatus.Pass,
                $"access key {key.Slot} last rotated {EvidenceText.DateWithAgeAndLimit(rotated, context.Now, "limit", limit)}",
                key.Slot, days);
        }
    }
}
