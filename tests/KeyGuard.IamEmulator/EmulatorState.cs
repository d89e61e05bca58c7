using System.Security.Cryptography;
using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>
/// Everything the emulator knows: accounts, users, keys (with their fake secrets), MFA devices, policies.
/// All access goes through <see cref="Sync"/>; the HTTP handlers lock it for each request.
/// </summary>
internal sealed class EmulatorState
{
    private readonly Dictionary<string, EmulatedAccount> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedKey> _keys = new(StringComparer.Ordinal);

    public EmulatorState(int seed = 0) => Random = seed == 0 ? new Random() : new Random(seed);

    public object Sync { get; } = new();
    public Random Random { get; }
    /// <summary>The emulator's clock (creation dates, last-used updates, report ages).</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    public IReadOnlyCollection<EmulatedAccount> Accounts { get { lock (Sync) return _accounts.Values.ToList(); } }

    public EmulatedAccount AddAccount(string accountId)
    {
        lock (Sync)
        {
            if (_accounts.ContainsKey(accountId)) throw new InvalidOperationException($"account {accountId} already exists");
            var account = new EmulatedAccount(this, accountId);
            _accounts[accountId] = account;
            return account;
        }
    }

    public EmulatedAccount Account(string accountId) { lock (Sync) return _accounts[accountId]; }

    /// <summary>A live key (Active or Inactive) by ID, in any account.</summary>
    public EmulatedKey? FindKey(string keyId) { lock (Sync) return _keys.GetValueOrDefault(keyId); }

    internal void Register(EmulatedKey key) => _keys[key.AccessKeyId] = key;
    internal void Unregister(EmulatedKey key) => _keys.Remove(key.AccessKeyId);

    /// <summary>40 random characters of [A-Za-z0-9/+]: shaped like a secret, generated at run time only.</summary>
    internal string NewSecret()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
        return string.Create(40, alphabet, (span, a) => { for (int i = 0; i < span.Length; i++) span[i] = a[RandomNumberGenerator.GetInt32(a.Length)]; });
    }

    internal string NewId(string prefix, int length)
    {
        const string base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = base32[Random.Next(32)];
        return prefix + new string(chars);
    }
}

internal sealed class EmulatedAccount
{
    private readonly EmulatorState _state;
    private readonly List<EmulatedUser> _users = [];

    internal EmulatedAccount(EmulatorState state, string id)
    {
        _state = state;
        Id = id;
        CreateDate = state.Now().AddYears(-3);
    }

    public string Id { get; }
    public DateTimeOffset CreateDate { get; set; }
    public bool RootMfaEnabled { get; set; }
    public DateTimeOffset? RootPasswordLastUsed { get; set; }
    /// <summary>When set, the root user has an active access key created then (CIS 1.4 fails; plans say "root").</summary>
    public DateTimeOffset? RootAccessKeyCreated { get; set; }
    /// <summary>Null means "no password policy": GetAccountPasswordPolicy answers NoSuchEntity.</summary>
    public PasswordPolicy? PasswordPolicy { get; set; }
    public List<EmulatedVirtualMfa> VirtualMfaDevices { get; } = [];
    /// <summary>Keys deleted from this account: GetAccessKeyLastUsed still knows their owner.</summary>
    public Dictionary<string, EmulatedKey> DeletedKeys { get; } = new(StringComparer.Ordinal);
    public CredentialReportMachine CredentialReport { get; } = new();
    /// <summary>CloudTrail, Config, Access Analyzer, S3 Block Public Access, managed policies, server certificates.</summary>
    public EmulatedBaseline Baseline { get; } = new();

    public IReadOnlyList<EmulatedUser> Users { get { lock (_state.Sync) return _users.ToList(); } }
    internal EmulatorState State => _state;

    public EmulatedUser AddUser(string userName, string path = "/", bool hasPassword = false, DateTimeOffset? createDate = null)
    {
        lock (_state.Sync)
        {
            if (FindUser(userName) != null) throw new InvalidOperationException($"user {userName} already exists");
            var user = new EmulatedUser(this, userName, path, _state.NewId("AIDA", 17), createDate ?? _state.Now().AddDays(-400)) { HasPassword = hasPassword };
            _users.Add(user);
            return user;
        }
    }

    public EmulatedUser? FindUser(string userName) { lock (_state.Sync) return _users.FirstOrDefault(u => u.UserName == userName); }

    public void RemoveUser(string userName)
    {
        lock (_state.Sync)
        {
            var user = FindUser(userName) ?? throw new InvalidOperationException($"no user {userName}");
            foreach (var key in user.Keys.ToList()) user.DeleteKey(key.AccessKeyId);
            _users.Remove(user);
        }
    }

    public string RootArn => $"arn:aws:iam::{Id}:root";

    /// <summary>Marks the current credential report as expired (GetCredentialReport then answers ReportExpired/410).</summary>
    public void ExpireCredentialReport() { lock (_state.Sync) CredentialReport.Expire(); }
}

internal sealed class EmulatedUser
{
    private readonly EmulatedAccount _account;

    internal EmulatedUser(EmulatedAccount account, string userName, string path, string userId, DateTimeOffset createDate)
    {
        _account = account;
        UserName = userName;
        Path = path;
        UserId = userId;
        CreateDate = createDate;
    }

    public string UserName { get; }
    public string Path { get; }
    public string UserId { get; }
    public DateTimeOffset CreateDate { get; }
    public string Arn => $"arn:aws:iam::{_account.Id}:user{Path}{UserName}";
    public EmulatedAccount Account => _account;
    public bool HasPassword { get; set; }
    public DateTimeOffset? PasswordLastUsed { get; set; }
    public List<EmulatedKey> Keys { get; } = [];
    public List<(string SerialNumber, DateTimeOffset EnableDate)> HardwareMfaDevices { get; } = [];
    public List<AttachedPolicy> AttachedPolicies { get; } = [];
    public Dictionary<string, string> InlinePolicies { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a long-term (AKIA) key. IAM allows two per user: a third fails with LimitExceeded.</summary>
    /// <param name="accessKeyId">A fixed ID (e.g. an old-format documentation key); by default one is generated for this account.</param>
    public EmulatedKey AddKey(AccessKeyStatus status = AccessKeyStatus.Active, DateTimeOffset? createDate = null,
        DateTimeOffset? lastUsedDate = null, string? lastUsedService = null, string? lastUsedRegion = null, string? accessKeyId = null)
    {
        var state = _account.State;
        lock (state.Sync)
        {
            if (Keys.Count >= 2) throw new EmulatorError("LimitExceeded", 409, $"Cannot exceed quota for AccessKeysPerUser: 2");
            var key = new EmulatedKey(accessKeyId ?? AccessKeyId.Generate("AKIA", _account.Id, state.Random), state.NewSecret(), this)
            {
                Status = status,
                CreateDate = createDate ?? state.Now(),
                LastUsedDate = lastUsedDate,
                LastUsedService = lastUsedService ?? (lastUsedDate is null ? null : "s3"),
                LastUsedRegion = lastUsedRegion ?? (lastUsedDate is null ? null : "us-east-1"),
            };
            Keys.Add(key);
            state.Register(key);
            return key;
        }
    }

    /// <summary>Adds a temporary (ASIA) key with a session token, as GetSessionToken would mint for this user.</summary>
    public EmulatedKey AddSessionKey()
    {
        var state = _account.State;
        lock (state.Sync)
        {
            var key = new EmulatedKey(AccessKeyId.Generate("ASIA", _account.Id, state.Random), state.NewSecret(), this)
            {
                Status = AccessKeyStatus.Active,
                CreateDate = state.Now(),
                SessionToken = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
            };
            state.Register(key); // not listed by ListAccessKeys, like real session credentials
            return key;
        }
    }

    public void DeleteKey(string accessKeyId)
    {
        var state = _account.State;
        lock (state.Sync)
        {
            var key = Keys.FirstOrDefault(k => k.AccessKeyId == accessKeyId)
                      ?? throw new EmulatorError("NoSuchEntity", 404, $"The Access Key with id {accessKeyId} cannot be found.");
            Keys.Remove(key);
            state.Unregister(key);
            _account.DeletedKeys[key.AccessKeyId] = key;
        }
    }

    public void AttachPolicy(string policyName, string? arn = null) =>
        AttachedPolicies.Add(new AttachedPolicy(policyName, arn ?? $"arn:aws:iam::aws:policy/{policyName}"));
}

internal sealed class EmulatedKey(string accessKeyId, string secretAccessKey, EmulatedUser user)
{
    public string AccessKeyId { get; } = accessKeyId;
    /// <summary>A fake secret generated at run time; the emulator verifies signatures against it.</summary>
    public string SecretAccessKey { get; } = secretAccessKey;
    public string? SessionToken { get; init; }
    public EmulatedUser User { get; } = user;
    public string AccountId => User.Account.Id;
    public AccessKeyStatus Status { get; set; }
    public DateTimeOffset CreateDate { get; set; }
    public DateTimeOffset? LastUsedDate { get; set; }
    public string? LastUsedService { get; set; }
    public string? LastUsedRegion { get; set; }

    public override string ToString() => $"EmulatedKey {{ {AccessKeyId}, {Status}, user {User.UserName} }}";
}

internal sealed record EmulatedVirtualMfa(string SerialNumber, string? UserName, DateTimeOffset? EnableDate);

/// <summary>An AWS error the handlers raise; becomes an ErrorResponse document with this HTTP status.</summary>
internal sealed class EmulatorError(string code, int httpStatus, string message) : Exception(message)
{
    public string Code { get; } = code;
    public int HttpStatus { get; } = httpStatus;
}
