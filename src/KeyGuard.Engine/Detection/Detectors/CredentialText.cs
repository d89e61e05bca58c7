namespace KeyGuard.Detection.Detectors;

/// <summary>Text helpers the AWS secret and session-token validations share.</summary>
internal static class CredentialText
{
    /// <summary>Secrets in URLs and form bodies arrive as %2F, %2B and %3D.</summary>
    public static string UrlDecodeBase64(string s) =>
        s.Contains('%') ? s.Replace("%2F", "/").Replace("%2f", "/").Replace("%2B", "+").Replace("%2b", "+").Replace("%3D", "=").Replace("%3d", "=") : s;

    /// <summary>Whether <paramref name="word"/> occurs (any case) in the <paramref name="reach"/> characters before <paramref name="index"/>.</summary>
    public static bool HasContextBefore(ReadOnlySpan<char> text, int index, int reach, string word)
    {
        int from = Math.Max(0, index - reach);
        return text[from..index].Contains(word, StringComparison.OrdinalIgnoreCase);
    }
}
