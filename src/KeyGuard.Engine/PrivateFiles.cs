using System.Text;

namespace KeyGuard;

/// <summary>
/// Files KeyGuard writes that hold secrets or scan state (reports, baselines, org state, summaries, audit log, new
/// keys) are created 0600, whatever the umask: a report names where secrets are, a mirror holds them in full.
/// An existing file keeps its mode (it may be a device such as /dev/stdout, or shared on purpose).
/// </summary>
internal static class SecureFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates or truncates <paramref name="path"/> for writing.</summary>
    public static FileStream Create(string path) => Open(path, FileMode.Create, FileShare.Read);

    /// <summary>Opens <paramref name="path"/> for appending, creating it if needed.</summary>
    public static FileStream OpenAppend(string path, FileShare share = FileShare.Read) => Open(path, FileMode.Append, share);

    /// <summary>Creates <paramref name="path"/> empty if it does not exist, so that SQLite opens (and mirrors the mode of) a private file.</summary>
    public static void Ensure(string path)
    {
        using var _ = Open(path, FileMode.OpenOrCreate, FileShare.ReadWrite);
    }

    public static void WriteAllText(string path, string text, Encoding? encoding = null)
    {
        using var stream = Create(path);
        var bytes = (encoding ?? new UTF8Encoding(false)).GetBytes(text);
        stream.Write(bytes);
    }

    /// <summary>
    /// Writes <paramref name="path"/> whole or not at all: into a private temporary file in the same folder, then
    /// renamed over the target, so a crash or a failed write never leaves it empty or half written.
    /// </summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = Open(temp, FileMode.CreateNew, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    private static FileStream Open(string path, FileMode mode, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = share };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return new FileStream(path, options);
    }
}

/// <summary>Folders that hold state, mirrors or reports are created 0700, whatever the umask (parents too).</summary>
internal static class SecureDirectory
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, OwnerOnly);
    }
}
