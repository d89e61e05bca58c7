using System.Text;
using System.Xml.Linq;
using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>The IAM actions the emulator implements; each returns the children of {Action}Result.</summary>
internal static class IamActions
{
    public static readonly IReadOnlyDictionary<string, Func<ActionContext, IEnumerable<XElement>>> Handlers =
        new Dictionary<string, Func<ActionContext, IEnumerable<XElement>>>(StringComparer.Ordinal)
        {
            ["ListUsers"] = ListUsers,
            ["GetUser"] = c => [RenderUser(c.UserOrCaller(), "User")],
            ["ListAccessKeys"] = ListAccessKeys,
            ["GetAccessKeyLastUsed"] = GetAccessKeyLastUsed,
            ["CreateAccessKey"] = CreateAccessKey,
            ["UpdateAccessKey"] = UpdateAccessKey,
            ["DeleteAccessKey"] = c => { c.UserOrCaller().DeleteKey(c.Required("AccessKeyId")); return []; },
            ["ListMFADevices"] = ListMfaDevices,
            ["ListVirtualMFADevices"] = ListVirtualMfaDevices,
            ["GetAccountSummary"] = GetAccountSummary,
            ["GetAccountPasswordPolicy"] = GetAccountPasswordPolicy,
            ["GenerateCredentialReport"] = GenerateCredentialReport,
            ["GetCredentialReport"] = GetCredentialReport,
            ["ListAttachedUserPolicies"] = c => c.Page(c.UserOrCaller().AttachedPolicies, "AttachedPolicies",
                p => new XElement("x", new XElement("PolicyName", p.PolicyName), new XElement("PolicyArn", p.PolicyArn))),
            ["PutUserPolicy"] = c => { c.UserOrCaller().InlinePolicies[c.Required("PolicyName")] = c.Required("PolicyDocument"); return []; },
            ["ListUserPolicies"] = c => [
                new XElement("PolicyNames", c.UserOrCaller().InlinePolicies.Keys.Order(StringComparer.Ordinal).Select(n => new XElement("member", n))),
                new XElement("IsTruncated", "false")],
            ["ListPolicies"] = ListPolicies,
            ["GetPolicyVersion"] = GetPolicyVersion,
            ["ListEntitiesForPolicy"] = ListEntitiesForPolicy,
            ["ListServerCertificates"] = c => c.Page(c.Account.Baseline.ServerCertificates, "ServerCertificateMetadataList", cert => new XElement("x",
                new XElement("Path", "/"), new XElement("ServerCertificateName", cert.Name),
                new XElement("ServerCertificateId", "ASCA" + cert.Name.GetHashCode().ToString("X8")),
                new XElement("Arn", $"arn:aws:iam::{c.Account.Id}:server-certificate/{cert.Name}"),
                new XElement("UploadDate", ActionContext.Date(cert.Expiration.AddYears(-1))),
                new XElement("Expiration", ActionContext.Date(cert.Expiration)))),
        };

    /// <summary>
    /// The account's managed policies, plus any policy a user has attached that the account does not define (e.g. an
    /// AWS quarantine policy), which gets a deny-all document.
    /// </summary>
    private static List<EmulatedManagedPolicy> AllPolicies(ActionContext c)
    {
        var policies = c.Account.Baseline.Policies.ToList();
        foreach (var attached in c.Account.Users.SelectMany(u => u.AttachedPolicies))
            if (policies.All(p => p.Arn != attached.PolicyArn))
                policies.Add(new EmulatedManagedPolicy(attached.PolicyName, attached.PolicyArn,
                    """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"""));
        return policies;
    }

    private static IReadOnlyList<string> UsersWith(ActionContext c, string arn) =>
        c.Account.Users.Where(u => u.AttachedPolicies.Any(p => p.PolicyArn == arn)).Select(u => u.UserName).ToList();

    private static IEnumerable<XElement> ListPolicies(ActionContext c)
    {
        bool onlyAttached = c.Optional("OnlyAttached") == "true";
        string scope = c.Optional("Scope") ?? "All";
        var policies = AllPolicies(c)
            .Select(p => (Policy: p, Count: p.Roles.Count + p.Groups.Count + UsersWith(c, p.Arn).Count))
            .Where(p => !onlyAttached || p.Count > 0)
            .Where(p => scope == "All" || (scope == "AWS") == p.Policy.Arn.Contains(":iam::aws:", StringComparison.Ordinal))
            .ToList();
        return c.Page(policies, "Policies", p => new XElement("x",
            new XElement("PolicyName", p.Policy.Name), new XElement("PolicyId", "ANPA" + (p.Policy.Name.GetHashCode() & 0x7fffffff)),
            new XElement("Arn", p.Policy.Arn), new XElement("Path", "/"), new XElement("DefaultVersionId", "v1"),
            new XElement("AttachmentCount", p.Count), new XElement("IsAttachable", "true")));
    }

    private static IEnumerable<XElement> GetPolicyVersion(ActionContext c)
    {
        string arn = c.Required("PolicyArn");
        var policy = AllPolicies(c).FirstOrDefault(p => p.Arn == arn)
                     ?? throw new EmulatorError("NoSuchEntity", 404, $"Policy {arn} does not exist or is not attachable.");
        // IAM returns the document URL-encoded (RFC 3986).
        return [new XElement("PolicyVersion", new XElement("Document", Uri.EscapeDataString(policy.Document)),
            new XElement("VersionId", c.Required("VersionId")), new XElement("IsDefaultVersion", "true"))];
    }

    private static IEnumerable<XElement> ListEntitiesForPolicy(ActionContext c)
    {
        string arn = c.Required("PolicyArn");
        var policy = AllPolicies(c).FirstOrDefault(p => p.Arn == arn);
        if (policy is null && !arn.Contains(":iam::aws:", StringComparison.Ordinal))
            throw new EmulatorError("NoSuchEntity", 404, $"Policy {arn} was not found.");
        return [
            new XElement("PolicyGroups", (policy?.Groups ?? []).Select(g => new XElement("member", new XElement("GroupName", g)))),
            new XElement("PolicyUsers", UsersWith(c, arn).Select(u => new XElement("member", new XElement("UserName", u)))),
            new XElement("PolicyRoles", (policy?.Roles ?? []).Select(r => new XElement("member", new XElement("RoleName", r)))),
            new XElement("IsTruncated", "false")];
    }

    private static IEnumerable<XElement> ListUsers(ActionContext c)
    {
        string prefix = c.Optional("PathPrefix") ?? "/";
        var users = c.Account.Users.Where(u => u.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return c.Page(users, "Users", u => RenderUser(u, "x"));
    }

    private static XElement RenderUser(EmulatedUser u, string name) => new(name,
        new XElement("Path", u.Path), new XElement("UserName", u.UserName), new XElement("UserId", u.UserId),
        new XElement("Arn", u.Arn), new XElement("CreateDate", ActionContext.Date(u.CreateDate)),
        u.PasswordLastUsed is { } p ? new XElement("PasswordLastUsed", ActionContext.Date(p)) : null);

    private static IEnumerable<XElement> ListAccessKeys(ActionContext c)
    {
        var user = c.UserOrCaller();
        return c.Page(user.Keys, "AccessKeyMetadata", k => new XElement("x",
            new XElement("UserName", user.UserName), new XElement("AccessKeyId", k.AccessKeyId),
            new XElement("Status", k.Status.ToString()), new XElement("CreateDate", ActionContext.Date(k.CreateDate))));
    }

    /// <summary>
    /// Keys of the caller's account (live or deleted) answer with their owner; another account's key is AccessDenied;
    /// an ID the emulator never issued is NoSuchEntity (an emulator choice: AWS's model lists no errors).
    /// </summary>
    private static IEnumerable<XElement> GetAccessKeyLastUsed(ActionContext c)
    {
        string id = c.Required("AccessKeyId");
        var key = c.State.FindKey(id) ?? c.Account.DeletedKeys.GetValueOrDefault(id)
                  ?? c.State.Accounts.Select(a => a.DeletedKeys.GetValueOrDefault(id)).FirstOrDefault(k => k != null);
        if (key is null) throw new EmulatorError("NoSuchEntity", 404, $"The Access Key with id {id} cannot be found.");
        if (key.AccountId != c.Account.Id)
            throw new EmulatorError("AccessDenied", 403,
                $"User: {c.Caller.User.Arn} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key {id}");
        return [
            new XElement("UserName", key.User.UserName),
            new XElement("AccessKeyLastUsed",
                key.LastUsedDate is { } d ? new XElement("LastUsedDate", ActionContext.Date(d)) : null,
                new XElement("ServiceName", key.LastUsedService ?? "N/A"),
                new XElement("Region", key.LastUsedRegion ?? "N/A"))];
    }

    private static IEnumerable<XElement> CreateAccessKey(ActionContext c)
    {
        var key = c.UserOrCaller().AddKey();
        return [new XElement("AccessKey",
            new XElement("UserName", key.User.UserName), new XElement("AccessKeyId", key.AccessKeyId),
            new XElement("Status", "Active"), new XElement("SecretAccessKey", key.SecretAccessKey),
            new XElement("CreateDate", ActionContext.Date(key.CreateDate)))];
    }

    private static IEnumerable<XElement> UpdateAccessKey(ActionContext c)
    {
        var user = c.UserOrCaller();
        string id = c.Required("AccessKeyId");
        var key = user.Keys.FirstOrDefault(k => k.AccessKeyId == id)
                  ?? throw new EmulatorError("NoSuchEntity", 404, $"The Access Key with id {id} cannot be found.");
        key.Status = c.Required("Status") switch
        {
            "Active" => AccessKeyStatus.Active,
            "Inactive" => AccessKeyStatus.Inactive,
            var s => throw new EmulatorError("ValidationError", 400, $"Value '{s}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
        };
        return [];
    }

    private static IEnumerable<XElement> ListMfaDevices(ActionContext c)
    {
        var user = c.UserOrCaller();
        var devices = user.HardwareMfaDevices
            .Concat(c.Account.VirtualMfaDevices.Where(v => v.UserName == user.UserName).Select(v => (v.SerialNumber, EnableDate: v.EnableDate ?? c.Now)))
            .ToList();
        return c.Page(devices, "MFADevices", d => new XElement("x",
            new XElement("UserName", user.UserName), new XElement("SerialNumber", d.SerialNumber),
            new XElement("EnableDate", ActionContext.Date(d.EnableDate))));
    }

    private static IEnumerable<XElement> ListVirtualMfaDevices(ActionContext c)
    {
        string status = c.Optional("AssignmentStatus") ?? "Any";
        var devices = c.Account.VirtualMfaDevices
            .Where(v => status == "Any" || (status == "Assigned") == (v.UserName != null)).ToList();
        return c.Page(devices, "VirtualMFADevices", v => new XElement("x",
            new XElement("SerialNumber", v.SerialNumber),
            v.UserName is null ? null : v.UserName == "<root>"
                ? new XElement("User", new XElement("UserId", c.Account.Id), new XElement("Arn", c.Account.RootArn))
                : RenderUser(c.Account.FindUser(v.UserName)!, "User"),
            v.EnableDate is { } d ? new XElement("EnableDate", ActionContext.Date(d)) : null));
    }

    private static IEnumerable<XElement> GetAccountSummary(ActionContext c)
    {
        var users = c.Account.Users;
        int hardware = users.Sum(u => u.HardwareMfaDevices.Count);
        var summary = new Dictionary<string, int>
        {
            ["Users"] = users.Count,
            ["UsersQuota"] = 5000,
            ["Groups"] = 0,
            ["Roles"] = 0,
            ["Policies"] = 0,
            ["AccessKeysPerUserQuota"] = 2,
            ["MFADevices"] = hardware + c.Account.VirtualMfaDevices.Count,
            ["MFADevicesInUse"] = hardware + c.Account.VirtualMfaDevices.Count(v => v.UserName != null),
            ["AccountMFAEnabled"] = c.Account.RootMfaEnabled ? 1 : 0,
            ["AccountAccessKeysPresent"] = 0,
            ["AccountPasswordPresent"] = 1,
            ["AccountSigningCertificatesPresent"] = 0,
            ["SigningCertificatesPerUserQuota"] = 2,
        };
        return [new XElement("SummaryMap", summary.Select(kv =>
            new XElement("entry", new XElement("key", kv.Key), new XElement("value", kv.Value))))];
    }

    private static IEnumerable<XElement> GetAccountPasswordPolicy(ActionContext c)
    {
        var p = c.Account.PasswordPolicy
                ?? throw new EmulatorError("NoSuchEntity", 404, $"The Password Policy with domain name {c.Account.Id} cannot be found.");
        static string B(bool b) => b ? "true" : "false";
        return [new XElement("PasswordPolicy",
            p.MinimumPasswordLength is { } min ? new XElement("MinimumPasswordLength", min) : null,
            new XElement("RequireSymbols", B(p.RequireSymbols)), new XElement("RequireNumbers", B(p.RequireNumbers)),
            new XElement("RequireUppercaseCharacters", B(p.RequireUppercaseCharacters)),
            new XElement("RequireLowercaseCharacters", B(p.RequireLowercaseCharacters)),
            new XElement("AllowUsersToChangePassword", B(p.AllowUsersToChangePassword)),
            new XElement("ExpirePasswords", B(p.ExpirePasswords)),
            p.MaxPasswordAge is { } age ? new XElement("MaxPasswordAge", age) : null,
            p.PasswordReusePrevention is { } reuse ? new XElement("PasswordReusePrevention", reuse) : null,
            new XElement("HardExpiry", B(p.HardExpiry)))];
    }

    private static IEnumerable<XElement> GenerateCredentialReport(ActionContext c)
    {
        var (state, description) = c.Account.CredentialReport.Generate(c.Now, () => CredentialReportCsv.Build(c.Account));
        return [new XElement("State", state), new XElement("Description", description)];
    }

    private static IEnumerable<XElement> GetCredentialReport(ActionContext c)
    {
        var (csv, generated) = c.Account.CredentialReport.Get(c.Now, () => CredentialReportCsv.Build(c.Account));
        return [
            new XElement("Content", Convert.ToBase64String(Encoding.UTF8.GetBytes(csv))),
            new XElement("ReportFormat", "text/csv"),
            new XElement("GeneratedTime", ActionContext.Date(generated))];
    }
}
