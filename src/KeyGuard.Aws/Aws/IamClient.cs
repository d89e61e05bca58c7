using System.Text;
using System.Xml.Linq;

namespace KeyGuard.Aws;

/// <summary>
/// A typed client for the IAM Query API (aws-iam.md §1), signed with the operator's credentials.
/// Listing operations come as a page-level call (marker in, marker out) and a ListAll… helper that follows IsTruncated.
/// Key mutations always send UserName: IAM would otherwise act on the caller's own key.
/// </summary>
internal sealed class IamClient
{
    private readonly IamQueryTransport _transport;
    private readonly AwsRetryPolicy _retry;

    internal IamClient(IamQueryTransport transport, AwsRetryPolicy retry)
    {
        _transport = transport;
        _retry = retry;
    }

    // ---- users -------------------------------------------------------------------------------------------

    public async Task<IamPage<IamUser>> ListUsersAsync(string? pathPrefix = null, string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        var result = await Send("ListUsers", cancellationToken, ("PathPrefix", pathPrefix), ("Marker", marker), ("MaxItems", Items(maxItems)));
        return IamXml.Page(result, "Users", ReadUser);
    }

    public Task<IReadOnlyList<IamUser>> ListAllUsersAsync(string? pathPrefix = null, CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListUsersAsync(pathPrefix, m, null, ct), cancellationToken);

    /// <summary>GetUser; a null name returns the caller's own user.</summary>
    public async Task<IamUser> GetUserAsync(string? userName = null, CancellationToken cancellationToken = default)
    {
        var result = await Send("GetUser", cancellationToken, ("UserName", userName));
        return ReadUser(result.RequiredChild("User"));
    }

    // ---- access keys -------------------------------------------------------------------------------------

    /// <summary>ListAccessKeys for <paramref name="userName"/> (required: omitted, IAM would list the caller's keys).</summary>
    public async Task<IamPage<AccessKeyMetadata>> ListAccessKeysAsync(string userName, string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        RequireUserName(userName);
        var result = await Send("ListAccessKeys", cancellationToken, ("UserName", userName), ("Marker", marker), ("MaxItems", Items(maxItems)));
        return IamXml.Page(result, "AccessKeyMetadata", m => new AccessKeyMetadata(
            m.Required("UserName"), m.Required("AccessKeyId"), ParseStatus(m.Text("Status")), m.RequiredDate("CreateDate")));
    }

    public Task<IReadOnlyList<AccessKeyMetadata>> ListAllAccessKeysAsync(string userName, CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListAccessKeysAsync(userName, m, null, ct), cancellationToken);

    /// <summary>GetAccessKeyLastUsed: the owning UserName plus last-used date, service and region.</summary>
    public async Task<AccessKeyLastUsed> GetAccessKeyLastUsedAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        var result = await Send("GetAccessKeyLastUsed", cancellationToken, ("AccessKeyId", accessKeyId));
        var lastUsed = result.Child("AccessKeyLastUsed");
        return new AccessKeyLastUsed(
            result.Required("UserName"),
            lastUsed?.Date("LastUsedDate"),
            IamXml.NotApplicableToNull(lastUsed?.Text("ServiceName")),
            IamXml.NotApplicableToNull(lastUsed?.Text("Region")));
    }

    /// <summary>
    /// CreateAccessKey, sent once: it is not idempotent, and a retry after an answer lost on the way (timeout, reset,
    /// 5xx from a proxy after IAM acted) would make a second key whose secret nobody has. See
    /// <see cref="IamException.OutcomeUnknown"/>.
    /// </summary>
    public async Task<NewAccessKey> CreateAccessKeyAsync(string userName, CancellationToken cancellationToken = default)
    {
        RequireUserName(userName);
        var result = await _transport.SendAsync("CreateAccessKey", [new("UserName", userName)], cancellationToken, retryable: false);
        var key = result.RequiredChild("AccessKey");
        return new NewAccessKey(key.Required("UserName"), key.Required("AccessKeyId"), ParseStatus(key.Text("Status")),
            key.Required("SecretAccessKey"), key.Date("CreateDate") ?? DateTimeOffset.UtcNow);
    }

    public async Task UpdateAccessKeyAsync(string userName, string accessKeyId, AccessKeyStatus status, CancellationToken cancellationToken = default)
    {
        RequireUserName(userName);
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        if (status is not (AccessKeyStatus.Active or AccessKeyStatus.Inactive))
            throw new ArgumentException("UpdateAccessKey accepts only Active or Inactive", nameof(status));
        await Send("UpdateAccessKey", cancellationToken, ("UserName", userName), ("AccessKeyId", accessKeyId), ("Status", status.ToString()));
    }

    public async Task DeleteAccessKeyAsync(string userName, string accessKeyId, CancellationToken cancellationToken = default)
    {
        RequireUserName(userName);
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        await Send("DeleteAccessKey", cancellationToken, ("UserName", userName), ("AccessKeyId", accessKeyId));
    }

    // ---- policies ----------------------------------------------------------------------------------------

    public async Task<IamPage<AttachedPolicy>> ListAttachedUserPoliciesAsync(string userName, string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        RequireUserName(userName);
        var result = await Send("ListAttachedUserPolicies", cancellationToken, ("UserName", userName), ("Marker", marker), ("MaxItems", Items(maxItems)));
        return IamXml.Page(result, "AttachedPolicies", m => new AttachedPolicy(m.Required("PolicyName"), m.Required("PolicyArn")));
    }

    public Task<IReadOnlyList<AttachedPolicy>> ListAllAttachedUserPoliciesAsync(string userName, CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListAttachedUserPoliciesAsync(userName, m, null, ct), cancellationToken);

    /// <summary>PutUserPolicy: adds or replaces an inline policy (used to attach a deny-all policy to a leaked key's user).</summary>
    public async Task PutUserPolicyAsync(string userName, string policyName, string policyDocument, CancellationToken cancellationToken = default)
    {
        RequireUserName(userName);
        ArgumentException.ThrowIfNullOrEmpty(policyName);
        ArgumentException.ThrowIfNullOrEmpty(policyDocument);
        await Send("PutUserPolicy", cancellationToken, ("UserName", userName), ("PolicyName", policyName), ("PolicyDocument", policyDocument));
    }

    /// <summary>ListUserPolicies: the names of the user's inline policies.</summary>
    public async Task<IamPage<string>> ListUserPoliciesAsync(string userName, string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        RequireUserName(userName);
        var result = await Send("ListUserPolicies", cancellationToken, ("UserName", userName), ("Marker", marker), ("MaxItems", Items(maxItems)));
        return new IamPage<string>(result.Child("PolicyNames")?.Elements().Where(e => e.Name.LocalName == "member").Select(e => e.Value).ToList() ?? [],
            result.Bool("IsTruncated"), result.Text("Marker"));
    }

    public Task<IReadOnlyList<string>> ListAllUserPoliciesAsync(string userName, CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListUserPoliciesAsync(userName, m, null, ct), cancellationToken);

    /// <summary>ListPolicies; <paramref name="onlyAttached"/> keeps the policies attached to a user, group or role.</summary>
    public async Task<IamPage<ManagedPolicy>> ListPoliciesAsync(bool onlyAttached, string scope = "All", string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        var result = await Send("ListPolicies", cancellationToken, ("Scope", scope), ("OnlyAttached", onlyAttached ? "true" : "false"),
            ("Marker", marker), ("MaxItems", Items(maxItems)));
        return IamXml.Page(result, "Policies", m => new ManagedPolicy(m.Required("PolicyName"), m.Required("Arn"),
            m.Text("DefaultVersionId") ?? "v1", m.Int("AttachmentCount") ?? 0));
    }

    public Task<IReadOnlyList<ManagedPolicy>> ListAllPoliciesAsync(bool onlyAttached, string scope = "All", CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListPoliciesAsync(onlyAttached, scope, m, null, ct), cancellationToken);

    /// <summary>GetPolicyVersion: the policy document, URL-decoded (IAM returns it percent-encoded).</summary>
    public async Task<string> GetPolicyVersionDocumentAsync(string policyArn, string versionId, CancellationToken cancellationToken = default)
    {
        var result = await Send("GetPolicyVersion", cancellationToken, ("PolicyArn", policyArn), ("VersionId", versionId));
        return Uri.UnescapeDataString(result.RequiredChild("PolicyVersion").Required("Document"));
    }

    /// <summary>ListEntitiesForPolicy: the users, groups and roles a managed policy is attached to (all pages).</summary>
    public async Task<PolicyEntities> ListEntitiesForPolicyAsync(string policyArn, CancellationToken cancellationToken = default)
    {
        var users = new List<string>();
        var groups = new List<string>();
        var roles = new List<string>();
        string? marker = null;
        do
        {
            var result = await Send("ListEntitiesForPolicy", cancellationToken, ("PolicyArn", policyArn), ("Marker", marker));
            users.AddRange(result.Members("PolicyUsers").Select(m => m.Text("UserName")).OfType<string>());
            groups.AddRange(result.Members("PolicyGroups").Select(m => m.Text("GroupName")).OfType<string>());
            roles.AddRange(result.Members("PolicyRoles").Select(m => m.Text("RoleName")).OfType<string>());
            marker = result.Bool("IsTruncated") ? result.Text("Marker") : null;
        } while (!string.IsNullOrEmpty(marker));
        return new PolicyEntities(users, groups, roles);
    }

    /// <summary>ListServerCertificates: name and expiry of every IAM-stored server certificate.</summary>
    public async Task<IamPage<ServerCertificate>> ListServerCertificatesAsync(string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        var result = await Send("ListServerCertificates", cancellationToken, ("Marker", marker), ("MaxItems", Items(maxItems)));
        return IamXml.Page(result, "ServerCertificateMetadataList", m => new ServerCertificate(
            m.Required("ServerCertificateName"), m.Text("Arn") ?? "", m.Date("Expiration")));
    }

    public Task<IReadOnlyList<ServerCertificate>> ListAllServerCertificatesAsync(CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListServerCertificatesAsync(m, null, ct), cancellationToken);

    // ---- MFA ---------------------------------------------------------------------------------------------

    /// <summary>ListMFADevices; a null name lists the caller's devices.</summary>
    public async Task<IamPage<MfaDevice>> ListMfaDevicesAsync(string? userName = null, string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        var result = await Send("ListMFADevices", cancellationToken, ("UserName", userName), ("Marker", marker), ("MaxItems", Items(maxItems)));
        return IamXml.Page(result, "MFADevices", m => new MfaDevice(m.Required("UserName"), m.Required("SerialNumber"), m.RequiredDate("EnableDate")));
    }

    public Task<IReadOnlyList<MfaDevice>> ListAllMfaDevicesAsync(string? userName = null, CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListMfaDevicesAsync(userName, m, null, ct), cancellationToken);

    public async Task<IamPage<VirtualMfaDevice>> ListVirtualMfaDevicesAsync(VirtualMfaAssignment assignment = VirtualMfaAssignment.Any, string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        var result = await Send("ListVirtualMFADevices", cancellationToken, ("AssignmentStatus", assignment.ToString()), ("Marker", marker), ("MaxItems", Items(maxItems)));
        return IamXml.Page(result, "VirtualMFADevices", m =>
        {
            var user = m.Child("User");
            return new VirtualMfaDevice(m.Required("SerialNumber"), user?.Text("UserName"), user?.Text("Arn"), m.Date("EnableDate"));
        });
    }

    public Task<IReadOnlyList<VirtualMfaDevice>> ListAllVirtualMfaDevicesAsync(VirtualMfaAssignment assignment = VirtualMfaAssignment.Any, CancellationToken cancellationToken = default) =>
        AllPages((m, ct) => ListVirtualMfaDevicesAsync(assignment, m, null, ct), cancellationToken);

    // ---- account -----------------------------------------------------------------------------------------

    /// <summary>GetAccountSummary's SummaryMap (Users, AccountMFAEnabled, AccountAccessKeysPresent, ...).</summary>
    public async Task<IReadOnlyDictionary<string, long>> GetAccountSummaryAsync(CancellationToken cancellationToken = default)
    {
        var result = await Send("GetAccountSummary", cancellationToken);
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in result.Child("SummaryMap")?.Elements().Where(e => e.Name.LocalName == "entry") ?? [])
            if (entry.Text("key") is { } key && long.TryParse(entry.Text("value"), out long value)) map[key] = value;
        return map;
    }

    /// <summary>GetAccountPasswordPolicy; null when the account has no password policy (NoSuchEntity).</summary>
    public async Task<PasswordPolicy?> GetAccountPasswordPolicyAsync(CancellationToken cancellationToken = default)
    {
        XElement result;
        try
        {
            result = await Send("GetAccountPasswordPolicy", cancellationToken);
        }
        catch (IamException e) when (e.IsNoSuchEntity)
        {
            return null;
        }
        var p = result.RequiredChild("PasswordPolicy");
        return new PasswordPolicy(p.Int("MinimumPasswordLength"), p.Bool("RequireSymbols"), p.Bool("RequireNumbers"),
            p.Bool("RequireUppercaseCharacters"), p.Bool("RequireLowercaseCharacters"), p.Bool("AllowUsersToChangePassword"),
            p.Bool("ExpirePasswords"), p.Int("MaxPasswordAge"), p.Int("PasswordReusePrevention"), p.Bool("HardExpiry"));
    }

    // ---- credential report -------------------------------------------------------------------------------

    public async Task<CredentialReportGeneration> GenerateCredentialReportAsync(CancellationToken cancellationToken = default)
    {
        var result = await Send("GenerateCredentialReport", cancellationToken);
        var state = result.Text("State") switch
        {
            "STARTED" => CredentialReportState.Started,
            "INPROGRESS" => CredentialReportState.InProgress,
            "COMPLETE" => CredentialReportState.Complete,
            _ => CredentialReportState.Unknown,
        };
        return new CredentialReportGeneration(state, result.Text("Description"));
    }

    /// <summary>GetCredentialReport; throws IamException ReportNotPresent/ReportExpired (410) or ReportInProgress (404).</summary>
    public async Task<CredentialReport> GetCredentialReportAsync(CancellationToken cancellationToken = default)
    {
        var result = await Send("GetCredentialReport", cancellationToken);
        var content = new byte[(result.Text("Content")?.Length ?? 0) * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(result.Required("Content"), content, out int length))
            throw IamXml.Malformed(result, "<Content> is not base64");
        string csv = Encoding.UTF8.GetString(content, 0, length);
        return new CredentialReport(csv, result.Text("ReportFormat") ?? "text/csv", result.Date("GeneratedTime") ?? DateTimeOffset.UtcNow);
    }

    // ---- plumbing ----------------------------------------------------------------------------------------

    private Task<XElement> Send(string action, CancellationToken cancellationToken, params (string Name, string? Value)[] parameters) =>
        _transport.SendAsync(action, parameters.Select(p => new KeyValuePair<string, string?>(p.Name, p.Value)), cancellationToken);

    private static async Task<IReadOnlyList<T>> AllPages<T>(Func<string?, CancellationToken, Task<IamPage<T>>> fetch, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        string? marker = null;
        do
        {
            var page = await fetch(marker, cancellationToken);
            all.AddRange(page.Items);
            // A truncated page without a marker would loop forever; stop instead.
            marker = page.IsTruncated ? page.Marker : null;
        } while (!string.IsNullOrEmpty(marker));
        return all;
    }

    private static string? Items(int? maxItems) => maxItems?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void RequireUserName(string userName)
    {
        // Omitted, IAM applies the call to the caller's own user (aws-iam.md §1 pitfall).
        if (string.IsNullOrEmpty(userName))
            throw new ArgumentException("UserName is required: without it IAM would act on the caller's own user", nameof(userName));
    }

    private static AccessKeyStatus ParseStatus(string? s) =>
        Enum.TryParse<AccessKeyStatus>(s, ignoreCase: true, out var status) ? status : AccessKeyStatus.Unknown;

    private static IamUser ReadUser(XElement u) => new(u.Text("Path") ?? "/", u.Required("UserName"), u.Text("UserId") ?? "",
        u.Required("Arn"), u.RequiredDate("CreateDate"), u.Date("PasswordLastUsed"));
}
