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
}
