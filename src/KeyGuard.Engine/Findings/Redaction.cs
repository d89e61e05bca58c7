using System.Security.Cryptography;
using System.Text;

namespace KeyGuard.Findings;

internal static class Redaction
{
    /// <summary>
    /// Key IDs are identifiers, shown whole. Other secrets keep four characters, enough to recognise one in a
    /// rotation ticket and far too few to use: <c>wJal…(40)</c>.
    /// </summary>
    public static string Redact(CredentialRole role, string secret)
    {
        if (role == CredentialRole.KeyId) return secret;
        int keep = Math.Min(4, secret.Length / 4);
        return secret[..keep] + "…(" + secret.Length + ")";
    }

    /// <summary>SHA-256 of "rule:secret", hex, 32 characters. Used as the fingerprint and the baseline key.</summary>
    public static string Fingerprint(string ruleId, string secret)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(ruleId + ":" + secret), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
