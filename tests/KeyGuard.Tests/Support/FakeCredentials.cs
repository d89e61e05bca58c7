using System.Text;
using KeyGuard.Aws;

namespace KeyGuard.Tests.Support;

/// <summary>
/// Credential-shaped values made at run time from a seeded random source. Nothing credential-shaped is committed;
/// key IDs are new-format with a decodable account, like real ones.
/// </summary>
public sealed class FakeCredentials(int seed)
{
    private const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    public Random Random { get; } = new(seed);

    public string KeyId(string prefix = "AKIA", string account = "123456789012") => AccessKeyId.Generate(prefix, account, Random);

    public string Account() => Random.NextInt64(100000000000, 999999999999).ToString();

    /// <summary>40 characters like a secret access key: both cases and a digit, always.</summary>
    public string Secret()
    {
        while (true)
        {
            var s = Chars(40, Base64);
            if (s.Any(char.IsAsciiLetterUpper) && s.Any(char.IsAsciiLetterLower) && s.Any(char.IsAsciiDigit)) return s;
        }
    }

    /// <summary>An STS session token: the usual IQoJb3JpZ2luX2Vj… preamble and a long random base64 body.</summary>
    public string SessionToken() => "IQoJb3JpZ2luX2VjE" + Chars(Random.Next(300, 700), Base64) + "==";

    public string MwsToken() => $"amzn.mws.{Hex(8)}-{Hex(4)}-{Hex(4)}-{Hex(4)}-{Hex(12)}";

    public string BedrockKey(string account = "123456789012") =>
        "ABSK" + Convert.ToBase64String(Encoding.ASCII.GetBytes($"BedrockAPIKey-{Chars(4, "abcdefghijklmnopqrstuvwxyz0123456789")}-at-{account}:{Secret()}"));

    public string Hex(int n) => Chars(n, "0123456789abcdef");
    public string Chars(int n, string alphabet)
    {
        var c = new char[n];
        for (int i = 0; i < n; i++) c[i] = alphabet[Random.Next(alphabet.Length)];
        return new string(c);
    }
}
