using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>The keys a demo seed created: the operator's own key and a few "found" keys in different states.</summary>
internal sealed record DemoKeys(EmulatedKey Operator, EmulatedKey ActiveRecentlyUsed, EmulatedKey ActiveIdle, EmulatedKey Inactive,
    EmulatedKey Deleted, EmulatedKey OtherAccount);

/// <summary>A small, realistic account: an operator, users with active/idle/inactive/deleted keys, and a second account.</summary>
internal static class DemoSeed
{
    public const string OperatorAccount = "111122223333";
    public const string OtherAccount = "444455556666";

    public static DemoKeys Apply(EmulatorState state)
    {
        var now = state.Now();
        var ours = state.AddAccount(OperatorAccount);
        ours.RootMfaEnabled = true;
        ours.RootPasswordLastUsed = now.AddDays(-20);
        ours.VirtualMfaDevices.Add(new EmulatedVirtualMfa($"arn:aws:iam::{OperatorAccount}:mfa/root-account-mfa-device", "<root>", now.AddYears(-2)));

        var op = ours.AddUser("keyguard-operator", createDate: now.AddDays(-100));
        var operatorKey = op.AddKey(createDate: now.AddDays(-100));

        var alice = ours.AddUser("alice", hasPassword: true, createDate: now.AddYears(-3));
        alice.PasswordLastUsed = now.AddDays(-2);
        ours.VirtualMfaDevices.Add(new EmulatedVirtualMfa($"arn:aws:iam::{OperatorAccount}:mfa/alice", "alice", now.AddYears(-1)));
        var aliceKey = alice.AddKey(createDate: now.AddDays(-200), lastUsedDate: now.AddDays(-3), lastUsedService: "s3", lastUsedRegion: "eu-west-1");

        var bot = ours.AddUser("deploy-bot", path: "/ci/", createDate: now.AddYears(-5));
        var botKey = bot.AddKey(createDate: now.AddYears(-5), lastUsedDate: now.AddDays(-120), lastUsedService: "ecr", lastUsedRegion: "us-west-2");
        bot.AttachPolicy("AWSCompromisedKeyQuarantineV3");

        var intern = ours.AddUser("old-intern", createDate: now.AddYears(-2));
        var internKey = intern.AddKey(AccessKeyStatus.Inactive, createDate: now.AddYears(-2), lastUsedDate: now.AddDays(-500), lastUsedService: "sts");
        var deleted = intern.AddKey(createDate: now.AddYears(-2));
        intern.DeleteKey(deleted.AccessKeyId);

        SeedBaseline(ours, now);

        var theirs = state.AddAccount(OtherAccount);
        var otherKey = theirs.AddUser("someone").AddKey(lastUsedDate: now.AddDays(-1));

        return new DemoKeys(operatorKey, aliceKey, botKey, internKey, deleted, otherKey);
    }

    /// <summary>The regions the demo account has enabled.</summary>
    public static readonly string[] Regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];

    /// <summary>
    /// A baseline with something to say about every control: the multi-region trail was stopped (only eu-west-1 is
    /// logged), Config is complete only in us-east-1, Access Analyzer is on in two regions, one Block Public Access
    /// setting is off, a customer policy grants "*:*", deploy-bot has its own policies, a support role exists, and one
    /// server certificate has expired. (No password policy is set: the password controls fail.)
    /// </summary>
    public static void SeedBaseline(EmulatedAccount account, DateTimeOffset now)
    {
        var b = account.Baseline;
        b.EnabledRegions.Clear();
        b.EnabledRegions.AddRange(Regions);
        b.Trails.Add(new EmulatedTrail("management-events", "us-east-1") { IsMultiRegion = true, IsLogging = false, LogFileValidation = false });
        b.Trails.Add(new EmulatedTrail("eu-audit", "eu-west-1")
        {
            IsLogging = true, LogFileValidation = true,
            CloudWatchLogsLogGroupArn = $"arn:aws:logs:eu-west-1:{account.Id}:log-group:eu-audit:*",
            KmsKeyId = $"arn:aws:kms:eu-west-1:{account.Id}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        });
        b.Config["us-east-1"] = new EmulatedConfigRegion();
        b.Config["eu-west-1"] = new EmulatedConfigRegion { AllSupported = false };
        b.Config["eu-central-1"] = new EmulatedConfigRegion { DeliveryChannel = null };
        b.Analyzers["us-east-1"] = [new EmulatedAnalyzer("account-analyzer", "ACCOUNT", "ACTIVE")];
        b.Analyzers["eu-west-1"] = [new EmulatedAnalyzer("account-analyzer", "ACCOUNT", "ACTIVE")];
        b.Analyzers["eu-central-1"] = [new EmulatedAnalyzer("old-analyzer", "ACCOUNT", "DISABLED")];
        b.PublicAccessBlock = new KeyGuard.Aws.PublicAccessBlock(true, true, true, RestrictPublicBuckets: false);
        var legacy = new EmulatedManagedPolicy("LegacyAdmin", $"arn:aws:iam::{account.Id}:policy/LegacyAdmin", EmulatedBaseline.AdminDocument);
        legacy.Roles.Add("ops-admin");
        b.Policies.Add(legacy);
        var support = new EmulatedManagedPolicy("AWSSupportAccess", "arn:aws:iam::aws:policy/AWSSupportAccess", EmulatedBaseline.ReadOnlyDocument);
        support.Roles.Add("aws-support");
        b.Policies.Add(support);
        b.ServerCertificates.Add(("www-2023", now.AddDays(-400)));
        b.ServerCertificates.Add(("www-current", now.AddDays(200)));
    }
}
