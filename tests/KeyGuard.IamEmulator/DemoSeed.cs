using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>The keys a demo seed created: the operator's own key and a few "found" keys in different states.</summary>
public sealed record DemoKeys(EmulatedKey Operator, EmulatedKey ActiveRecentlyUsed, EmulatedKey ActiveIdle, EmulatedKey Inactive,
    EmulatedKey Deleted, EmulatedKey OtherAccount);

/// <summary>A small, realistic account: an operator, users with active/idle/inactive/deleted keys, and a second account.</summary>
public static class DemoSeed
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

        var theirs = state.AddAccount(OtherAccount);
        var otherKey = theirs.AddUser("someone").AddKey(lastUsedDate: now.AddDays(-1));

        return new DemoKeys(operatorKey, aliceKey, botKey, internKey, deleted, otherKey);
    }
}
