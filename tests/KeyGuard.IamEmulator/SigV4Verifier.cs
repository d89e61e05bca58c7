using System.Collections.Specialized;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace KeyGuard.IamEmulator;

/// <summary>The parsed "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" header.</summary>
internal sealed record SigV4Authorization(string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature)
{
    private static readonly Regex Pattern = new(
        @"^AWS4-HMAC-SHA256\s+Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request,\s*SignedHeaders=(?<headers>[^,]+),\s*Signature=(?<sig>[0-9a-f]{64})$",
        RegexOptions.CultureInvariant);

    public static SigV4Authorization? Parse(string? header)
    {
        if (header is null) return null;
        var m = Pattern.Match(header.Trim());
        if (!m.Success) return null;
        return new SigV4Authorization(m.Groups["key"].Value, m.Groups["date"].Value, m.Groups["region"].Value, m.Groups["service"].Value,
            m.Groups["headers"].Value.Split(';'), m.Groups["sig"].Value);
    }
}

/// <summary>
/// Recomputes a SigV4 signature server-side, independently of the SDK (own canonical request and HMAC chain,
/// per the AWS "Signature Version 4 signing process"), so the client's SDK-made signatures are really checked.
/// </summary>
internal static class SigV4Verifier
{
    public static bool Verify(SigV4Authorization auth, string secretAccessKey, string method, Uri url, NameValueCollection headers, byte[] body)
    {
        string amzDate = headers["x-amz-date"] ?? "";
        if (!auth.SignedHeaders.Contains("host") || amzDate.Length < 8 || amzDate[..8] != auth.Date) return false;

        string canonicalRequest = string.Join('\n',
            method,
            CanonicalPath(url),
            CanonicalQuery(url.Query),
            string.Concat(auth.SignedHeaders.Select(h => $"{h}:{CanonicalHeaderValue(headers[h])}\n")),
            string.Join(';', auth.SignedHeaders),
            Hex(SHA256.HashData(body)));

        string scope = $"{auth.Date}/{auth.Region}/{auth.Service}/aws4_request";
        string stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        byte[] key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), auth.Date);
        key = Hmac(key, auth.Region);
        key = Hmac(key, auth.Service);
        key = Hmac(key, "aws4_request");
        string expected = Hex(Hmac(key, stringToSign));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(auth.Signature));
    }

    private static string CanonicalPath(Uri url) => string.IsNullOrEmpty(url.AbsolutePath) ? "/" : url.AbsolutePath;

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?") return "";
        return string.Join('&', query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Encode(Uri.UnescapeDataString(p[0])), Value: Encode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    private static string Encode(string s) => Uri.EscapeDataString(s);

    /// <summary>Trim, and collapse runs of whitespace to one space (SigV4 canonical header rule).</summary>
    private static string CanonicalHeaderValue(string? value) => Regex.Replace((value ?? "").Trim(), @"\s+", " ");

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
