using KeyGuard.Compliance;
using KeyGuard.CredentialReport;
using Xunit;
using KeyGuard.Findings;

namespace KeyGuard.Tests.Audit;

/// <summary>Each control in both directions, on small synthetic reports judged at a fixed "now".</summary>
public class CisJudgeTests
{
    private static readonly PasswordPolicyLookup GoodPolicy = new(new PasswordPolicy(14, PasswordReusePrevention: 24));

    private static IReadOnlyList<ComplianceResult> Judge(ReportCsv csv, AccountInputs? inputs = null, CisOptions? options = null, bool oldFormat = false) =>
        new CisJudge(options).Judge(csv.Parse(oldFormat), inputs ?? AccountInputs.None, ReportCsv.Now);

    private static ComplianceResult Only(IReadOnlyList<ComplianceResult> results, CisControl control, string user, int? slot = null) =>
        Assert.Single(results, r => r.Control == control && r.User == user && (slot is null || r.KeySlot == slot));

    // 1.4 / 1.3
    [Fact]
    public void Root_without_access_keys_passes_1_4()
    {
        var result = Only(Judge(new ReportCsv().Root()), CisControls.NoRootAccessKeys, "<root_account>");
        Assert.Equal(ComplianceStatus.Pass, result.Status);
    }

    [Fact]
    public void Root_with_an_active_access_key_fails_1_4_as_critical()
    {
        var results = Judge(new ReportCsv().Root(row => ReportCsv.Key(row, 2, 300, 5)));

        var result = Only(results, CisControls.NoRootAccessKeys, "<root_account>");
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal(Severity.Critical, result.Severity);
        Assert.Equal(2, result.KeySlot);
        Assert.Equal("1.4", result.Control.Control);
        Assert.Equal("1.3", result.Control.ControlV5);
        Assert.Contains("created 2026-02-01 (300 days ago)", result.Evidence);
    }

    // 1.5 / 1.4
    [Fact]
    public void Root_with_mfa_passes_1_5() =>
        Assert.Equal(ComplianceStatus.Pass, Only(Judge(new ReportCsv().Root()), CisControls.RootMfa, "<root_account>").Status);

    [Fact]
    public void Root_without_mfa_fails_1_5() =>
        Assert.Equal(ComplianceStatus.Fail,
            Only(Judge(new ReportCsv().Root(row => row["mfa_active"] = "false")), CisControls.RootMfa, "<root_account>").Status);

    // 1.6 / 1.5
    [Fact]
    public void Root_hardware_mfa_is_not_evaluated_without_account_inputs()
    {
        var result = Only(Judge(new ReportCsv().Root()), CisControls.RootHardwareMfa, "<root_account>");
        Assert.Equal(ComplianceStatus.NotEvaluated, result.Status);
    }

    [Fact]
    public void Root_hardware_mfa_passes_when_mfa_is_on_and_no_virtual_device_is_roots()
    {
        var devices = new[] { new VirtualMfaDevice("arn:aws:iam::111122223333:mfa/alice", "arn:aws:iam::111122223333:user/root-admin") };
        var inputs = new AccountInputs(RootMfa: RootMfaEvidence.From(new Dictionary<string, int> { ["AccountMFAEnabled"] = 1 }, devices));

        Assert.Equal(ComplianceStatus.Pass, Only(Judge(new ReportCsv().Root(), inputs), CisControls.RootHardwareMfa, "<root_account>").Status);
    }

    [Fact]
    public void Root_hardware_mfa_fails_with_a_virtual_device_on_root()
    {
        var devices = new[] { new VirtualMfaDevice("arn:aws:iam::111122223333:mfa/root-account-mfa-device", "arn:aws:iam::111122223333:root") };
        var inputs = new AccountInputs(RootMfa: RootMfaEvidence.From(new Dictionary<string, int> { ["AccountMFAEnabled"] = 1 }, devices));

        var result = Only(Judge(new ReportCsv().Root(), inputs), CisControls.RootHardwareMfa, "<root_account>");

        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Contains("virtual device arn:aws:iam::111122223333:mfa/root-account-mfa-device", result.Evidence);
    }

    [Fact]
    public void Root_hardware_mfa_fails_when_account_mfa_is_off()
    {
        var inputs = new AccountInputs(RootMfa: RootMfaEvidence.From(new Dictionary<string, int> { ["AccountMFAEnabled"] = 0 }, []));
        Assert.Equal(ComplianceStatus.Fail, Only(Judge(new ReportCsv().Root(), inputs), CisControls.RootHardwareMfa, "<root_account>").Status);
    }

    // 1.7 / 1.6
    [Fact]
    public void Root_unused_for_30_days_passes_1_7()
    {
        var result = Only(Judge(new ReportCsv().Root()), CisControls.AvoidRootUse, "<root_account>");
        Assert.Equal(ComplianceStatus.Pass, result.Status);
        Assert.Equal("root password last used 2026-10-29 (30 days ago; window 1)", result.Evidence);
    }

    [Fact]
    public void Root_password_used_today_fails_1_7() =>
        Assert.Equal(ComplianceStatus.Fail, Only(Judge(new ReportCsv().Root(row => row["password_last_used"] = ReportCsv.DaysAgo(0))),
            CisControls.AvoidRootUse, "<root_account>").Status);

    [Fact]
    public void Root_key_used_yesterday_fails_1_7()
    {
        var result = Only(Judge(new ReportCsv().Root(row => ReportCsv.Key(row, 1, 500, 1))), CisControls.AvoidRootUse, "<root_account>");
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.StartsWith("root access key 1 last used", result.Evidence);
    }

    // 1.8 / 1.7 and 1.9 / 1.8
    [Fact]
    public void Password_policy_controls_are_not_evaluated_when_the_policy_was_not_read()
    {
        var results = Judge(new ReportCsv().Root());
        Assert.Equal(ComplianceStatus.NotEvaluated, Only(results, CisControls.PasswordMinimumLength, "<account>").Status);
        Assert.Equal(ComplianceStatus.NotEvaluated, Only(results, CisControls.PasswordReuse, "<account>").Status);
    }

    [Fact]
    public void A_strong_password_policy_passes_1_8_and_1_9()
    {
        var results = Judge(new ReportCsv().Root(), new AccountInputs(GoodPolicy));
        var length = Only(results, CisControls.PasswordMinimumLength, "<account>");
        Assert.Equal(ComplianceStatus.Pass, length.Status);
        Assert.Equal("arn:aws:iam::111122223333:root", length.Arn);
        Assert.Equal(ComplianceStatus.Pass, Only(results, CisControls.PasswordReuse, "<account>").Status);
    }

    [Fact]
    public void No_password_policy_fails_1_8_and_1_9()
    {
        var results = Judge(new ReportCsv().Root(), new AccountInputs(PasswordPolicyLookup.NoPolicy));
        Assert.Equal("no account password policy is set", Only(results, CisControls.PasswordMinimumLength, "<account>").Evidence);
        Assert.Equal(ComplianceStatus.Fail, Only(results, CisControls.PasswordMinimumLength, "<account>").Status);
        Assert.Equal(ComplianceStatus.Fail, Only(results, CisControls.PasswordReuse, "<account>").Status);
    }

    [Fact]
    public void A_short_password_length_fails_1_8()
    {
        var results = Judge(new ReportCsv().Root(), new AccountInputs(new PasswordPolicyLookup(new PasswordPolicy(8, 24))));
        var result = Only(results, CisControls.PasswordMinimumLength, "<account>");
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal("password policy minimum length is 8 (required 14 or more)", result.Evidence);
    }

    [Fact]
    public void Remembering_too_few_passwords_fails_1_9()
    {
        var results = Judge(new ReportCsv().Root(), new AccountInputs(new PasswordPolicyLookup(new PasswordPolicy(14, 5))));
        Assert.Equal(ComplianceStatus.Fail, Only(results, CisControls.PasswordReuse, "<account>").Status);
    }

    // 1.10 / 1.9
    [Fact]
    public void Console_user_with_mfa_passes_1_10() =>
        Assert.Equal(ComplianceStatus.Pass,
            Only(Judge(new ReportCsv().User("alice", row => ReportCsv.ConsoleUser(row))), CisControls.ConsoleUserMfa, "alice").Status);

    [Fact]
    public void Console_user_without_mfa_fails_1_10_as_high()
    {
        var result = Only(Judge(new ReportCsv().User("bob", row => ReportCsv.ConsoleUser(row, mfa: false))), CisControls.ConsoleUserMfa, "bob");
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal(Severity.High, result.Severity);
    }

    [Fact]
    public void Users_without_a_console_password_and_root_are_not_judged_by_1_10()
    {
        var results = Judge(new ReportCsv().Root(row => row["mfa_active"] = "false").User("svc"));
        Assert.DoesNotContain(results, r => r.Control == CisControls.ConsoleUserMfa);
    }

    // 1.11 / 1.10
    [Fact]
    public void Console_user_with_a_used_key_passes_1_11() =>
        Assert.Equal(ComplianceStatus.Pass, Only(Judge(new ReportCsv().User("alice", row =>
        {
            ReportCsv.ConsoleUser(row);
            ReportCsv.Key(row, 1, 20, 1);
        })), CisControls.NoKeysAtInitialSetup, "alice", 1).Status);

    [Fact]
    public void Console_user_with_a_never_used_active_key_fails_1_11()
    {
        var result = Only(Judge(new ReportCsv().User("bob", row =>
        {
            ReportCsv.ConsoleUser(row);
            ReportCsv.Key(row, 1, 20, null);
        })), CisControls.NoKeysAtInitialSetup, "bob", 1);

        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal("console user has active access key 1, created 2026-11-08 (20 days ago), that was never used", result.Evidence);
    }

    [Fact]
    public void Control_1_11_is_not_evaluated_on_the_old_format()
    {
        var results = Judge(new ReportCsv().User("bob", row =>
        {
            ReportCsv.ConsoleUser(row);
            ReportCsv.Key(row, 1, 20, null);
        }), oldFormat: true);
        Assert.Equal(ComplianceStatus.NotEvaluated, Only(results, CisControls.NoKeysAtInitialSetup, "bob", 1).Status);
    }

    // 1.12 / 1.11
    [Fact]
    public void Key_used_recently_passes_1_12() =>
        Assert.Equal(ComplianceStatus.Pass,
            Only(Judge(new ReportCsv().User("svc", row => ReportCsv.Key(row, 1, 60, 44))), CisControls.UnusedCredentials, "svc", 1).Status);

    [Fact]
    public void Key_unused_for_45_days_fails_1_12()
    {
        var result = Only(Judge(new ReportCsv().User("svc", row => ReportCsv.Key(row, 1, 60, 45))), CisControls.UnusedCredentials, "svc", 1);
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal("access key 1 last used 2026-10-14 (45 days ago; limit 45)", result.Evidence);
    }

    [Fact]
    public void Never_used_key_older_than_the_limit_fails_1_12_like_the_cis_audit_says()
    {
        var result = Only(Judge(new ReportCsv().User("svc", row => ReportCsv.Key(row, 2, 1976, null))), CisControls.UnusedCredentials, "svc", 2);
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal("access key 2 never used; created 2021-07-01 (1,976 days ago; limit 45)", result.Evidence);
    }

    [Fact]
    public void Inactive_unused_key_is_not_judged_by_1_12() =>
        Assert.DoesNotContain(Judge(new ReportCsv().User("old", row => ReportCsv.Key(row, 1, 900, 500, active: false))),
            r => r.Control == CisControls.UnusedCredentials);

    [Fact]
    public void Console_password_used_recently_passes_1_12() =>
        Assert.Equal(ComplianceStatus.Pass, Only(Judge(new ReportCsv().User("alice", row => ReportCsv.ConsoleUser(row))),
            CisControls.UnusedCredentials, "alice").Status);

    [Fact]
    public void Console_password_unused_for_90_days_fails_1_12()
    {
        var result = Only(Judge(new ReportCsv().User("alice", row => ReportCsv.ConsoleUser(row, lastUsed: ReportCsv.DaysAgo(90)))),
            CisControls.UnusedCredentials, "alice");
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Null(result.KeySlot);
    }

    [Fact]
    public void Console_password_never_used_fails_1_12_by_its_age()
    {
        var result = Only(Judge(new ReportCsv().User("bob", row => ReportCsv.ConsoleUser(row, lastUsed: "no_information"))),
            CisControls.UnusedCredentials, "bob");
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.StartsWith("console password never used; set 2026-05-12 (200 days ago", result.Evidence);
    }

    [Fact]
    public void The_unused_threshold_is_configurable()
    {
        var csv = new ReportCsv().User("svc", row => ReportCsv.Key(row, 1, 60, 50));
        Assert.Equal(ComplianceStatus.Pass, Only(Judge(csv, options: new CisOptions { MaxUnusedDays = 60 }), CisControls.UnusedCredentials, "svc", 1).Status);
    }

    // 1.13 / 1.12
    [Fact]
    public void One_active_key_passes_1_13() =>
        Assert.Equal(ComplianceStatus.Pass, Only(Judge(new ReportCsv().User("svc", row =>
        {
            ReportCsv.Key(row, 1, 10, 1);
            ReportCsv.Key(row, 2, 400, 300, active: false);
        })), CisControls.OneActiveKey, "svc").Status);

    [Fact]
    public void Two_active_keys_fail_1_13()
    {
        var result = Only(Judge(new ReportCsv().User("deploy-bot", row =>
        {
            ReportCsv.Key(row, 1, 2006, 1);
            ReportCsv.Key(row, 2, 44, null);
        })), CisControls.OneActiveKey, "deploy-bot");
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal("two active access keys: key 1 created 2021-06-01 and key 2 created 2026-10-15", result.Evidence);
    }

    // 1.14 / 1.13
    [Fact]
    public void Key_rotated_90_days_ago_passes_1_14() =>
        Assert.Equal(ComplianceStatus.Pass,
            Only(Judge(new ReportCsv().User("svc", row => ReportCsv.Key(row, 1, 90, 1))), CisControls.KeyRotation, "svc", 1).Status);

    [Fact]
    public void Key_rotated_91_days_ago_fails_1_14() =>
        Assert.Equal(ComplianceStatus.Fail,
            Only(Judge(new ReportCsv().User("svc", row => ReportCsv.Key(row, 1, 91, 1))), CisControls.KeyRotation, "svc", 1).Status);

    [Fact]
    public void Key_rotated_1976_days_ago_fails_1_14_with_the_documented_evidence()
    {
        var result = Only(Judge(new ReportCsv().User("svc", row => ReportCsv.Key(row, 1, 1976, 1))), CisControls.KeyRotation, "svc", 1);
        Assert.Equal(ComplianceStatus.Fail, result.Status);
        Assert.Equal(Severity.Medium, result.Severity);
        Assert.Equal("access key 1 last rotated 2021-07-01 (1,976 days ago; limit 90)", result.Evidence);
        Assert.Equal(1976, result.AgeDays);
    }

    [Fact]
    public void The_key_age_threshold_is_configurable()
    {
        var csv = new ReportCsv().User("svc", row => ReportCsv.Key(row, 1, 60, 1));
        Assert.Equal(ComplianceStatus.Fail, Only(Judge(csv, options: new CisOptions { MaxKeyAgeDays = 30 }), CisControls.KeyRotation, "svc", 1).Status);
    }

    [Fact]
    public void Results_are_ordered_failures_first_then_severity_then_age()
    {
        var results = Judge(new ReportCsv()
            .Root(row => row["mfa_active"] = "false")
            .User("young", row => ReportCsv.Key(row, 1, 100, 1))
            .User("old", row => ReportCsv.Key(row, 1, 1000, 1))
            .User("bob", row => ReportCsv.ConsoleUser(row, mfa: false)));

        var failures = results.TakeWhile(r => r.Status == ComplianceStatus.Fail).ToList();
        Assert.Equal(CisControls.RootMfa, failures[0].Control);
        Assert.Equal(CisControls.ConsoleUserMfa, failures[1].Control);
        Assert.Equal(["old", "young"], failures.Where(r => r.Control == CisControls.KeyRotation).Select(r => r.User));
        Assert.Equal(results.Count(r => r.IsFailure), failures.Count);
    }

    [Fact]
    public void Invalid_thresholds_are_usage_errors() =>
        Assert.Throws<InvalidInputException>(() => new CisJudge(new CisOptions { MaxKeyAgeDays = 0 }));
}
