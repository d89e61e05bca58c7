using LibGit2Sharp;

namespace KeyGuard.Sources.Git.Staged;

/// <summary>A blob's text decoded the way the scanner decodes it (BOM, UTF-8, else Latin-1), so line numbers agree.</summary>
internal static class BlobText
{
    public static string Decode(Blob blob)
    {
        using var stream = blob.GetContentStream();
        using var buffer = new MemoryStream((int)Math.Min(blob.Size, int.MaxValue));
        stream.CopyTo(buffer);
        return Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var encoding = TextDecoder.Choose(bytes, out int bom);
        return encoding.GetString(bytes[bom..]);
    }
}
