using Amazon.Runtime;
using KeyGuard.Aws;

namespace KeyGuard.Enrichment;

/// <summary>
/// The opt-in live check: sts:GetCallerIdentity signed with the FOUND key pair. This is logged in the key owner's
/// CloudTrail (and may trip canary alerts), so a warning goes to stderr each time and canary accounts are skipped
/// unless explicitly allowed. The secret goes only to the SDK signer; it is never printed or stored.
/// </summary>
internal sealed class LiveKeyChecker(Func<AWSCredentials, StsGateway> stsSignedWith, TextWriter warnings, bool allowCanary = false)
{
    public async Task<LiveCheck> CheckAsync(FoundKey key, string? account, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key.Secret))
            return new LiveCheck(LiveCheckResult.NoSecret, Message: "no secret was supplied for this key");
        if (AccessKeyId.KindOf(key.KeyId) == KeyKind.Temporary && string.IsNullOrEmpty(key.SessionToken))
            return new LiveCheck(LiveCheckResult.NoSecret, Message: "a temporary (ASIA) key needs its session token");
        if (CanaryAccounts.SourceOf(account) is { } canary && !allowCanary)
            return new LiveCheck(LiveCheckResult.SkippedCanary,
                Message: $"account {account} hosts {canary} canary tokens; signing with this key would alert its owner (use --allow-canary to check anyway)");

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
