using KeyGuard.Detection;

namespace KeyGuard.Tests.Engine;

public sealed class RunIndexTests
{
    /// <summary>The vectorised index answers every window as the per-window check does, on text with runs of every
    /// length crossing the 64-byte blocks at every offset.</summary>
    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 40)]
    [InlineData(3, 64)]
    public void Index_agrees_with_the_per_window_check(int seed, int minLength)
    {
        var r = new Random(seed);
        const string run = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+%";
        const string other = " \n\"'=_-.:;,(){}\t\u00e9";
        var text = new byte[20_000];
        int i = 0;
        while (i < text.Length)
        {
            // Runs from 1 to 150 characters (most short, as words are), then 1 to 4 separators.
            int length = r.Next(10) == 0 ? r.Next(30, 150) : r.Next(1, 12);
            for (int k = 0; k < length && i < text.Length; k++) text[i++] = (byte)run[r.Next(run.Length)];
            for (int k = r.Next(1, 5); k > 0 && i < text.Length; k--) text[i++] = (byte)other[r.Next(other.Length)];
        }
        var index = new RunIndex(text, minLength);
        Assert.True(index.Count > 20);
        for (int n = 0; n < 5000; n++)
        {
            int start = r.Next(text.Length), end = Math.Min(text.Length, start + r.Next(1, 400));
            int need = r.Next(minLength, 120);
            Assert.Equal(TextScanner.HasRun(text.AsSpan(start, end - start), need), index.HasRun(start, end, need));
        }
        // Whole runs, also one that fills the text.
        var all = new byte[300];
        Array.Fill(all, (byte)'A');
        Assert.True(new RunIndex(all, minLength).HasRun(0, 300, 300));
        Assert.False(new RunIndex(all, minLength).HasRun(10, 20, 11));
    }

    /// <summary>Every byte value, through the vectorised classifier (a block of 64 of it) and byte by byte (the tail):
    /// a run exactly when it is in the alphabet A-Z a-z 0-9 / + %.</summary>
    [Fact]
    public void Every_byte_is_classified_as_the_alphabet_says()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+%";
        for (int b = 0; b < 256; b++)
        {
            var text = new byte[64 + 20];
            Array.Fill(text, (byte)b);
            bool inAlphabet = alphabet.Contains((char)b);
            Assert.True((new RunIndex(text, 16).Count == 1) == inAlphabet, $"byte 0x{b:X2}");
            Assert.Equal(inAlphabet, RunIndex.IsRunByte((byte)b));
        }
    }

    /// <summary>The key-ID prefixes and escapes are screened in the runs' pass: every hit the finder's own search finds,
    /// in texts of every length around the 64-byte blocks and the 66 bytes the screen needs, from every start.</summary>
    [Fact]
    public void Keywords_screened_in_the_runs_pass_are_the_finders_hits()
    {
        var always = RuleSet.Default().AlwaysKeywords!;
        var r = new Random(9);
        string[] pieces = ["AKIA", "ASIA", "ACCESS", "PASSWORD", "\\u00", "&#x", "&#1", "da2-", "amzn.mws.", "QUtJQ", "x", " ", "\n", "abc", "ABSK"];
        for (int round = 0; round < 400; round++)
        {
            var sb = new System.Text.StringBuilder();
            int length = round < 200 ? round : r.Next(200, 3000);
            while (sb.Length < length) sb.Append(pieces[r.Next(pieces.Length)]);
            var text = System.Text.Encoding.ASCII.GetBytes(sb.ToString(0, length));
            var index = new RunIndex(text, 40, always);
            var expected = new List<int>();
            for (int at = always.IndexOfAny(text, 0); at >= 0; at = at + 1 < text.Length ? always.IndexOfAny(text, at + 1) : -1) expected.Add(at);
            var screened = new List<int>();
            int cursor = 0;
            for (int at = index.NextScreened(text, 0, ref cursor); at >= 0; at = at + 1 < text.Length ? index.NextScreened(text, at + 1, ref cursor) : -1) screened.Add(at);
            Assert.Equal(expected, screened);
            // From any start, as the windows' merge asks after each hit.
            int from = text.Length == 0 ? 0 : r.Next(text.Length);
            int c = 0;
            Assert.Equal(from < text.Length ? always.IndexOfAny(text, from) : -1, index.NextScreened(text, from, ref c));
        }
    }
}
