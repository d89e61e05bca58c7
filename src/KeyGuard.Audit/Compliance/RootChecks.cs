using KeyGuard.CredentialReport;

namespace KeyGuard.Compliance;

/// <summary>Shared handling of the root row for the root-only controls.</summary>
internal static class RootRow
{
    public static ComplianceResult Missing(CisControl control, CisContext context) => new(
        CredentialReportRow.RootUserName, context.AccountArn, control, ComplianceStatus.NotEvaluated,
        "the credential report has no <root_account> row");
}

/// <summary>CIS 1.4 (v5 1.3): the root user has no active access key.</summary>
internal sealed class NoRootAccessKeysCheck : ICisCheck
{
    public CisControl Control => CisControls.NoRootAccessKeys;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        if (context.Report.Root is not { } root)
        {
            yield return RootRow.Missing(Control, context);
            yield break;
        }
        var active = root.ActiveAccessKeys.ToList();
        if (active.Count == 0)
            yield return new ComplianceResult(root.User, root.Arn, Control, ComplianceStatus.Pass, "root has no active access key");
        foreach (var key in active)
        {
            var created = key.LastRotated.Value is { } date ? $", created {EvidenceText.DateWithAge(date, context.Now)}" : "";
            yield return new ComplianceResult(root.User, root.Arn, Control, ComplianceStatus.Fail,
                $"root has active access key {key.Slot}{created}", key.Slot, key.LastRotated.DaysBefore(context.Now));
        }
    }
}

/// <summary>CIS 1.5 (v5 1.4): the root user has MFA.</summary>
internal sealed class RootMfaCheck : ICisCheck
{
    public CisControl Control => CisControls.RootMfa;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        if (context.Report.Root is not { } root)
        {
            yield return RootRow.Missing(Control, context);
            yield break;
        }
        yield return root.MfaActive
            ? new ComplianceResult(root.User, root.Arn, Control, ComplianceStatus.Pass, "root has MFA enabled")
            : new ComplianceResult(root.User, root.Arn, Control, ComplianceStatus.Fail, "root has no MFA device (mfa_active false)");
    }
}

/// <summary>CIS 1.6 (v5 1.5): root MFA is a hardware device: MFA on, and no virtual MFA device is assigned to root.</summary>
internal sealed class RootHardwareMfaCheck : ICisCheck
{
    public CisControl Control => CisControls.RootHardwareMfa;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        var user = CredentialReportRow.RootUserName;
        var arn = context.AccountArn;
        if (context.Inputs.RootMfa is not { } evidence)
        {
            yield return new ComplianceResult(user, arn, Control, ComplianceStatus.NotEvaluated,
                "needs GetAccountSummary and ListVirtualMFADevices, which were not read (offline report)");
            yield break;
        }
        if (!evidence.AccountMfaEnabled)
        {
            yield return new ComplianceResult(user, arn, Control, ComplianceStatus.Fail,
                "root has no MFA device (AccountMFAEnabled is 0)");
            yield break;
        }
        // Prowler matches "root" in the assigned user's ARN; the root ARN ends in ":root", which does not catch users named "root-…".
        var virtualDevice = evidence.VirtualMfaDevices.FirstOrDefault(device =>
            device.UserArn is { } userArn && userArn.EndsWith(":root", StringComparison.Ordinal));
        yield return virtualDevice is null
            ? new ComplianceResult(user, arn, Control, ComplianceStatus.Pass,
                "root MFA is enabled and no virtual MFA device is assigned to root")
            : new ComplianceResult(user, arn, Control, ComplianceStatus.Fail,
                $"root MFA is the virtual device {virtualDevice.SerialNumber}, not a hardware device");
    }
}

/// <summary>CIS 1.7 (v5 1.6): the root user's password or keys were not used in the last day (configurable).</summary>
internal sealed class AvoidRootUseCheck : ICisCheck
{
    public CisControl Control => CisControls.AvoidRootUse;

    public IEnumerable<ComplianceResult> Evaluate(CisContext context)
    {
        if (context.Report.Root is not { } root)
        {
            yield return RootRow.Missing(Control, context);
            yield break;
        }
        var uses = new List<(string What, DateTimeOffset When)>();
        if (root.PasswordLastUsed.Value is { } password) uses.Add(("root password", password));
        foreach (var key in root.AccessKeys)
            if (key.LastUsedDate.Value is { } used) uses.Add(($"root access key {key.Slot}", used));

        var window = context.Options.RootUseWindowDays;
        if (uses.Count == 0)
        {
            yield return new ComplianceResult(root.User, root.Arn, Control, ComplianceStatus.Pass,
                "root password and access keys have no recorded use");
            yield break;
        }
        var latest = uses.MaxBy(use => use.When);
        var days = EvidenceText.AgeInDays(latest.When, context.Now);
        var sentence = $"{latest.What} last used {EvidenceText.DateWithAgeAndLimit(latest.When, context.Now, "window", window)}";
        yield return days <= window
            ? new ComplianceResult(root.User, root.Arn, Control, ComplianceStatus.Fail, sentence, AgeDays: days)
            : new ComplianceResult(root.User, root.Arn, Control, ComplianceStatus.Pass, sentence, AgeDays: days);
    }
}
