using System.Text;
using KeyGuard.Aws;

namespace KeyGuard.Detection.Detectors;

/// <summary>
/// Credential-shaped values for detectors' examples, made at run time from a seeded random source: nothing
/// credential-shaped is committed. Key IDs are new-format with a decodable account, like real ones.
/// </summary>
internal sealed class ExampleCredentials(int seed)
{
    public const string Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    public const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private readonly Random _random = new(seed);

    public string KeyId(string prefix = "AKIA", string account = "123456789012") => AccessKeyId.Generate(prefix, account, _random);

    /// <summary>40 characters like a secret access key: both cases and a digit, always.</summary>
    public string Secret()
    {
        while (true)
        {
            var s = Chars(40, Base64Alphabet);
            if (s.Any(char.IsAsciiLetterUpper) && s.Any(char.IsAsciiLetterLower) && s.Any(char.IsAsciiDigit)) return s;
        }
    }

    /// <summary>An STS session token: the usual IQoJb3JpZ2luX2Vj… preamble and a long random base64 body.</summary>
    public string SessionToken() => "IQoJb3JpZ2luX2VjE" + Chars(_random.Next(300, 700), Base64Alphabet) + "==";

    /// <summary>An IAM Identity Center access token: aoa, a base64 body, a colon and a base64 signature.</summary>
    public string SsoAccessToken() => "aoaAAAAAG" + Chars(_random.Next(300, 500), Base64Alphabet) + ":MGUCMQ" + Chars(120, Base64Alphabet);

    public string MwsToken() => $"amzn.mws.{Hex(8)}-{Hex(4)}-{Hex(4)}-{Hex(4)}-{Hex(12)}";

    public string BedrockKey(string account = "123456789012") =>
        "ABSK" + Base64($"BedrockAPIKey-{Chars(4, "abcdefghijklmnopqrstuvwxyz0123456789")}-at-{account}:{Secret()}");

    /// <summary>bedrock-api-key- and the base64 of a presigned bedrock.amazonaws.com URL, as the console hands out.</summary>
    public string BedrockShortTermKey() =>
        "bedrock-api-key-" + Base64("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256" +
            $"&X-Amz-Credential={KeyId("ASIA")}%2F20261201%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=20261201T120000Z" +
            $"&X-Amz-Expires=43200&X-Amz-Security-Token={Uri.EscapeDataString(SessionToken())}&X-Amz-Signature={Hex(64)}&Version=1");

    public string Hex(int n) => Chars(n, "0123456789abcdef");

    public string Chars(int n, string alphabet)
    {
        var c = new char[n];
        for (int i = 0; i < n; i++) c[i] = alphabet[_random.Next(alphabet.Length)];
        return new string(c);
    }

    private static string Base64(string s) => Convert.ToBase64String(Encoding.ASCII.GetBytes(s));
}
