using KeyGuard.Findings;
using Amazon.Runtime;
using KeyGuard.Aws;

namespace KeyGuard.Enrichment;

/// <summary>
/// The opt-in live check: sts:GetCallerIdentity signed with the FOUND key pair. This is logged in the key owner's
/// CloudTrail (and may trip canary alerts), so a warning goes to stderr each time, canary accounts are skipped
/// unless explicitly allowed, and so is every key IAM does not confirm as the operator's own: signing with another
/// party's key is using their credential, which a scan of our code has no business doing unless asked to.
/// The secret goes only to the SDK signer; it is never printed or stored.
/// </summary>
internal sealed class LiveKeyChecker(Func<AWSCredentials, StsGateway> stsSignedWith, TextWriter warnings, bool allowCanary = false,
    bool allowOtherAccounts = false)
{
    /// <param name="facts">What the owner-side lookup found (ownership, account, canary) before anything is signed.</param>
    public async Task<LiveCheck> CheckAsync(FoundKey key, KeyFacts facts, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key.Secret))
            return new LiveCheck(LiveCheckResult.NoSecret, Message: "no secret was supplied for this key");
        if (AccessKeyId.KindOf(key.KeyId) == KeyKind.Temporary && string.IsNullOrEmpty(key.SessionToken))
            return new LiveCheck(LiveCheckResult.NoSecret, Message: "a temporary (ASIA) key needs its session token");
        string? account = facts.Account;
        var canary = CanaryAccounts.SourceOf(account);
        if (canary is not null && !allowCanary)
            return new LiveCheck(LiveCheckResult.SkippedCanary,
                Message: $"account {account} hosts {canary} canary tokens; signing with this key would alert its owner (use --allow-canary to check anyway)");
        // --allow-canary is itself the opt-in for canary keys; any other key must be ours unless --allow-other-accounts.
        if (canary is null && facts.Ownership != Ownership.Ours && !allowOtherAccounts)
            return new LiveCheck(LiveCheckResult.SkippedNotOurs,
                Message: (facts.Ownership == Ownership.OtherAccount
                    ? $"the key belongs to account {account}, not yours"
                    : "IAM could not confirm the key as your account's") +
                    "; signing with it would use someone else's credential and show in their CloudTrail (use --allow-other-accounts to check anyway)");

        await warnings.WriteLineAsync(
            $"keyguard: warning: live check signs sts:GetCallerIdentity with the found key {key.KeyId}; " +
            "the call is recorded in the key owner's CloudTrail and can alert them.").ConfigureAwait(false);

        AWSCredentials found = string.IsNullOrEmpty(key.SessionToken)
            ? new BasicAWSCredentials(key.KeyId, key.Secret)
            : new SessionAWSCredentials(key.KeyId, key.Secret, key.SessionToken);
        using var sts = stsSignedWith(found);
        try
        {
            var identity = await sts.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
            return new LiveCheck(LiveCheckResult.Live, identity.Arn);
        }
        catch (IamException e) when (e.Code is "InvalidClientTokenId" or "ExpiredToken")
        {
            return new LiveCheck(LiveCheckResult.NotLive, Message: e.Code);
        }
        catch (IamException e) when (e.Code == "SignatureDoesNotMatch")
        {
            return new LiveCheck(LiveCheckResult.WrongSecret, Message: "the found secret does not belong to this key ID");
        }
        catch (IamException e)
        {
            return new LiveCheck(LiveCheckResult.Error, Message: e.Message);
        }
    }
}
