namespace KeyGuard.Sources.Git.History;

/// <summary>Recognises Git LFS pointer files: the real content lives on the LFS server, not in the repository.</summary>
internal static class LfsPointer
{
    /// <summary>Pointer files are tiny by specification (under 1024 bytes).</summary>
    public const int MaxSize = 1024;
    private static ReadOnlySpan<byte> Header => "version https://git-lfs.github.com/spec/"u8;

    public static bool Is(ReadOnlySpan<byte> content) => content.Length < MaxSize && content.StartsWith(Header);
}
