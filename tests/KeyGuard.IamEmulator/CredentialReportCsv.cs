using System.Globalization;
using System.Text;
using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>Builds the 22-column credential report (aws-iam.md §3) from an account's state.</summary>
internal static class CredentialReportCsv
{
    public const string Header =
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
        "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
        "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
        "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    public static string Build(EmulatedAccount account)
    {
        var sb = new StringBuilder(Header).Append('\n');
        sb.AppendJoin(',', [
            "<root_account>", account.RootArn, Date(account.CreateDate), "not_supported",
            account.RootPasswordLastUsed is { } used ? Date(used) : "no_information", "not_supported", "not_supported",
            Bool(account.RootMfaEnabled),
            .. (account.RootAccessKeyCreated is { } rootKey ? new[] { "true", Date(rootKey), "N/A", "N/A", "N/A" } : ["false", "N/A", "N/A", "N/A", "N/A"]),
            "false", "N/A", "N/A", "N/A", "N/A",
            "false", "N/A", "false", "N/A"]).Append('\n');

        foreach (var user in account.Users)
        {
            var fields = new List<string>
            {
                user.UserName, user.Arn, Date(user.CreateDate), Bool(user.HasPassword),
                user.HasPassword ? (user.PasswordLastUsed is { } p ? Date(p) : "no_information") : "N/A",
                user.HasPassword ? Date(user.CreateDate) : "N/A",
                NextRotation(account, user),
                Bool(user.HardwareMfaDevices.Count > 0 || account.VirtualMfaDevices.Any(v => v.UserName == user.UserName)),
            };
            var keys = user.Keys.OrderBy(k => k.CreateDate).ToList();
            for (int i = 0; i < 2; i++) fields.AddRange(KeyColumns(i < keys.Count ? keys[i] : null));
            fields.AddRange(["false", "N/A", "false", "N/A"]);
            sb.AppendJoin(',', fields).Append('\n');
        }
        return sb.ToString();
    }

    private static IEnumerable<string> KeyColumns(EmulatedKey? key)
    {
        if (key is null) return ["false", "N/A", "N/A", "N/A", "N/A"];
        return [
            Bool(key.Status == AccessKeyStatus.Active), Date(key.CreateDate),
            key.LastUsedDate is { } d ? Date(d) : "N/A", key.LastUsedRegion ?? "N/A", key.LastUsedService ?? "N/A"];
    }

    private static string NextRotation(EmulatedAccount account, EmulatedUser user) =>
        user.HasPassword && account.PasswordPolicy is { ExpirePasswords: true, MaxPasswordAge: { } days }
            ? Date(user.CreateDate.AddDays(days)) : "N/A";

    private static string Date(DateTimeOffset d) => d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
    private static string Bool(bool b) => b ? "true" : "false";
}
