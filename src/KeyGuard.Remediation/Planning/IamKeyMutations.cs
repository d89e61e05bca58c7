using KeyGuard.Aws;

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

    public async Task<IReadOnlyList<(string KeyId, DateTimeOffset Created)>> ListKeysAsync(string userName, CancellationToken ct) =>
        (await iam.ListAllAccessKeysAsync(userName, ct)).Select(k => (k.AccessKeyId, k.CreateDate)).ToList();

    public Task<IReadOnlyList<string>> ListUserPolicyNamesAsync(string userName, CancellationToken ct) => iam.ListAllUserPoliciesAsync(userName, ct);

    public Task PutUserPolicyAsync(string userName, string policyName, string document, CancellationToken ct) =>
        iam.PutUserPolicyAsync(userName, policyName, document, ct);

    public Task DeactivateAsync(string userName, string keyId, CancellationToken ct) =>
        iam.UpdateAccessKeyAsync(userName, keyId, AccessKeyStatus.Inactive, ct);

    public async Task<(string KeyId, string Secret)> CreateAsync(string userName, CancellationToken ct)
    {
        var key = await iam.CreateAccessKeyAsync(userName, ct);
        return (key.AccessKeyId, key.SecretAccessKey);
    }

    public Task DeleteAsync(string userName, string keyId, CancellationToken ct) => iam.DeleteAccessKeyAsync(userName, keyId, ct);
}

