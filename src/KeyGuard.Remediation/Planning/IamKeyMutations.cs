using KeyGuard.Aws;
using KeyGuard.Enrichment;

namespace KeyGuard.Planning;

/// <summary>apply's IAM calls through the Query-API client. Every call passes the user (see IKeyMutations).</summary>
internal sealed class IamKeyMutations(IamClient iam) : IKeyMutations
{
    public async Task<(string Status, DateTimeOffset? LastUsed)?> GetKeyAsync(string userName, string keyId, CancellationToken ct)
    {
        IReadOnlyList<AccessKeyMetadata> keys;
        try { keys = await iam.ListAllAccessKeysAsync(userName, ct); }
        catch (IamException e) when (e.IsNoSuchEntity) { return null; }
        var key = keys.FirstOrDefault(k => k.AccessKeyId == keyId);
        if (key == null) return null;
        var used = await iam.GetAccessKeyLastUsedAsync(keyId, ct);
        return (key.Status.ToString(), used.LastUsedDate);
    }

    public async Task<IReadOnlyList<string>> ListKeyIdsAsync(string userName, CancellationToken ct) =>
        (await iam.ListAllAccessKeysAsync(userName, ct)).Select(k => k.AccessKeyId).ToList();

    public Task DeactivateAsync(string userName, string keyId, CancellationToken ct) =>
        iam.UpdateAccessKeyAsync(userName, keyId, AccessKeyStatus.Inactive, ct);

    public async Task<(string KeyId, string Secret)> CreateAsync(string userName, CancellationToken ct)
    {
        var key = await iam.CreateAccessKeyAsync(userName, ct);
        return (key.AccessKeyId, key.SecretAccessKey);
    }

    public Task DeleteAsync(string userName, string keyId, CancellationToken ct) => iam.DeleteAccessKeyAsync(userName, keyId, ct);
}

/// <summary>Enrichment's facts in the planner's terms.</summary>
internal static class PlanFacts
{
    public static KeyFactsForPlan From(KeyFacts f) => new(
        f.KeyId,
        f.Ownership switch { Enrichment.Ownership.Ours => Ownership.Ours, Enrichment.Ownership.OtherAccount => Ownership.OtherAccount, _ => Ownership.Unknown },
        f.Account,
        f.UserName,
        f.Status switch { KeyStatus.Active => "Active", KeyStatus.Inactive => "Inactive", KeyStatus.Deleted => "Deleted", _ => null },
        f.CreateDate, f.LastUsedDate, f.LastUsedService, f.LastUsedRegion, f.QuarantinePolicyAttached,
        IsRoot: f.UserName is "root" or "<root_account>",
        Error: f.Error);
}
