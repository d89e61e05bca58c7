using System.Runtime.InteropServices;
using System.Text;

namespace KeyGuard.Sources;

/// <summary>What became of reading a file whole into a caller's buffer.</summary>
internal enum WholeRead { Read, TooLarge, Failed }

/// <summary>
/// Reads a file whole into a buffer the caller keeps, with the fewest system calls: on Linux open, read, close.
/// .NET's <see cref="File.OpenHandle"/> and <see cref="RandomAccess.GetLength"/> add two fstat calls and a
/// finalizable handle per file; over a tree of small files those were a tenth of a scan's system time.
/// Elsewhere, or when the raw route is unavailable, it reads through .NET.
/// </summary>
internal static partial class WholeFileReader
{
    // Linux's generic values (x86-64 and arm64 alike).
    private const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    internal const int AT_FDCWD = -100;
    private const int EPERM = 1, ENOENT = 2, EINTR = 4, EACCES = 13, ENOTDIR = 20, EISDIR = 21;

    /// <summary>Whether the raw route is taken (Linux, unless KEYGUARD_RAW_READS=0).</summary>
    public static bool Raw { get; } = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("KEYGUARD_RAW_READS") != "0";

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="buffer"/>. <see cref="WholeRead.TooLarge"/> when the file
    /// fills the buffer (the caller streams it instead); <see cref="WholeRead.Failed"/> with a one-line reason.
    /// </summary>
    public static WholeRead Read(string path, byte[] buffer, out int length, out string? error) =>
        Read(path, null, null, buffer, Raw, out length, out error);

    /// <summary>Reads the walked file, opened by its name in its open directory when the walk gives one.</summary>
    /// A name that is not UTF-8 is opened this way even without <see cref="Raw"/>: .NET cannot name it.
    public static WholeRead Read(WalkedFile file, byte[] buffer, out int length, out string? error) =>
        file.Directory is { Fd: >= 0 } && (Raw || file.RawBytes)
            ? Read("", file.Directory, file.Name, buffer, true, out length, out error)
            : Read(file.FullPath, null, null, buffer, Raw, out length, out error);

    /// <summary>The walked file as a stream, for files too large to read whole.</summary>
    public static Stream OpenStream(WalkedFile file)
    {
        if (!file.RawBytes || !OperatingSystem.IsLinux())
            return new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        int fd = Open(AT_FDCWD, file.FullPath);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is EACCES or EPERM ? new UnauthorizedAccessException() : errno is ENOENT or ENOTDIR ? new FileNotFoundException() : new IOException(Describe(errno));
        }
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 0);
    }

    internal static WholeRead Read(string path, OpenDirectory? directory, string? name, byte[] buffer, bool raw, out int length, out string? error)
    {
        length = 0;
        error = null;
        if (!raw) return ReadManaged(path, buffer, ref length, ref error);
        // The kernel resolves a name in an open directory without walking every component of the full path again.
        bool relative = directory is { Fd: >= 0 } && name != null;
        return ReadRaw(relative ? directory!.Fd : AT_FDCWD, relative ? name! : path, buffer, ref length, ref error);
    }

    internal static WholeRead Read(string path, byte[] buffer, bool raw, out int length, out string? error) =>
        Read(path, null, null, buffer, raw, out length, out error);

    /// <summary>Opens <paramref name="path"/> (relative to <paramref name="at"/>) for reading; -1 with errno set.</summary>
    internal static unsafe int Open(int at, string path)
    {
        int max = FileNames.MaxByteCount(path) + 1;
        Span<byte> name = max <= 2048 ? stackalloc byte[max] : new byte[max];
        int n = FileNames.GetBytes(path, name);
        name[n] = 0;
        int fd;
        // O_NONBLOCK: a named pipe in the tree must not hang the scan at open; regular files ignore it.
        fixed (byte* p = name)
            do fd = openat(at, p, O_RDONLY | O_CLOEXEC | O_NONBLOCK); while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        return fd;
    }

    internal static void Close(int fd) => close(fd);

    private static unsafe WholeRead ReadRaw(int at, string path, byte[] buffer, ref int length, ref string? error)
    {
        int fd = Open(at, path);
        if (fd < 0) { error = Describe(Marshal.GetLastPInvokeError()); return WholeRead.Failed; }
        try
        {
            fixed (byte* b = buffer)
                while (length < buffer.Length)
                {
                    int want = buffer.Length - length;
                    nint got = read(fd, b + length, want);
                    if (got < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == EINTR) continue;
                        error = Describe(errno);
                        return WholeRead.Failed;
                    }
                    length += (int)got;
                    // A regular file reads short only at its end: no second read to be told so.
                    if (got < want) return WholeRead.Read;
                }
            return WholeRead.TooLarge;
        }
        finally { close(fd); }
    }

    private static WholeRead ReadManaged(string path, byte[] buffer, ref int length, ref string? error)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            int n;
            while (length < buffer.Length && (n = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0) length += n;
            return length == buffer.Length ? WholeRead.TooLarge : WholeRead.Read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = Describe(e);
            return WholeRead.Failed;
        }
    }

    /// <summary>The one-line reason a scan reports for a file it could not read.</summary>
    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "vanished during the scan",
        _ => e.Message,
    };

    /// <summary>The one-line reason for a system error number.</summary>
    public static string Describe(int errno) => errno switch
    {
        EACCES or EPERM => "permission denied",
        ENOENT or ENOTDIR => "vanished during the scan",
        EISDIR => "is a directory",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int openat(int directory, byte* path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}

/// <summary>
/// A directory held open while the files listed in it are read (Linux, raw reads only), closed once they are.
/// </summary>
internal sealed class OpenDirectory : IDisposable
{
    internal int Fd { get; private set; }

    private OpenDirectory(int fd) => Fd = fd;

    /// <summary>Null, with the errno (0 when not tried), where neither reads nor the listing use it or it cannot be
    /// opened (reads then use full paths).</summary>
    public static OpenDirectory? TryOpen(string path, out int errno)
    {
        errno = 0;
        if (!WholeFileReader.Raw && !DirectoryListing.Supported) return null;
        int fd = WholeFileReader.Open(WholeFileReader.AT_FDCWD, path);
        if (fd < 0) errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return fd < 0 ? null : new OpenDirectory(fd);
    }

    public static OpenDirectory? TryOpen(string path) => TryOpen(path, out _);

    private int _holders = 1;

    /// <summary>One more holder: a batch of the directory's files handed to another thread reads through it.</summary>
    public void Share() => Interlocked.Increment(ref _holders);

    /// <summary>Closed when the last holder lets go.</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref _holders) != 0 || Fd < 0) return;
        WholeFileReader.Close(Fd);
        Fd = -1;
    }
}
