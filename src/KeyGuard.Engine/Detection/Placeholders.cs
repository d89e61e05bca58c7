namespace KeyGuard.Detection;

/// <summary>
/// Recognises values people write instead of a real secret: AWS's documented examples, XXXX runs, REDACTED,
/// sequences and repeated characters. A real key that trips one of these is astronomically unlikely.
/// </summary>
internal static class Placeholders
{
    private static readonly string[] Markers =
        ["EXAMPLE", "XXXX", "xxxx", "REDACTED", "redacted", "****", "PLACEHOLDER", "placeholder", "CHANGEME", "changeme",
         "YOURKEY", "YOUR_", "your_", "ABCDEFGHIJ", "abcdefghij", "1234567890", "0123456789", "DUMMY", "dummy", "FAKEKEY", "fakekey"];

    /// <summary>Example secrets from AWS's own documentation that carry no EXAMPLE marker (SDKs copy them into their
    /// tests: botocore's signer tests use the S3 REST authentication guide's pair).</summary>
    private static readonly string[] DocumentedExamples = ["OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"];

    public static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        if (value.EndsWith("EXAMPLE", StringComparison.Ordinal) || value.EndsWith("EXAMPLEKEY", StringComparison.Ordinal)) return true;
        foreach (var example in DocumentedExamples) if (value.SequenceEqual(example)) return true;
        foreach (var m in Markers) if (value.Contains(m, StringComparison.Ordinal)) return true;
        return LongestRun(value) >= 6;
    }

    private static int LongestRun(ReadOnlySpan<char> s)
    {
        int best = 0, run = 0;
        for (int i = 0; i < s.Length; i++)
        {
            run = i > 0 && s[i] == s[i - 1] ? run + 1 : 1;
            best = Math.Max(best, run);
        }
        return best;
    }
}
