using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace KeyGuard.Sources;

/// <summary>
/// File names as Linux has them: bytes, not always UTF-8. A byte that is not part of valid UTF-8 is kept in the name's
/// string as one lone surrogate, U+DC80–U+DCFF (Python's "surrogateescape"), so the name still opens and is reported
/// byte for byte; text reports show it as <c>\xNN</c>.
/// </summary>
internal static class FileNames
{
    /// <summary>The name's bytes as a string, raw bytes escaped as lone surrogates.</summary>
    public static string Decode(ReadOnlySpan<byte> name) => Decode(name, out _);

    public static string Decode(ReadOnlySpan<byte> name, out bool rawBytes)
    {
        rawBytes = !Utf8.IsValid(name);
        if (!rawBytes) return Encoding.UTF8.GetString(name);
        var text = new StringBuilder(name.Length + 8);
        while (!name.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(name, out var rune, out int used) == System.Buffers.OperationStatus.Done) text.Append(rune.ToString());
            else foreach (byte b in name[..used]) text.Append((char)(0xDC00 + b));
            name = name[used..];
        }
        return text.ToString();
    }

    /// <summary>Whether <paramref name="s"/> holds an escaped raw byte (a lone U+DC80–U+DCFF).</summary>
    public static bool HasRawBytes(string s) => FirstRawByte(s) >= 0;

    private static int FirstRawByte(ReadOnlySpan<char> s)
    {
        int at = 0;
        while (true)
        {
            int i = s[at..].IndexOfAnyInRange('\uDC80', '\uDCFF');
            if (i < 0) return -1;
            i += at;
            // The low half of a surrogate pair (a character past U+FFFF) is not an escaped byte.
            if (i == 0 || !char.IsHighSurrogate(s[i - 1])) return i;
            at = i + 1;
        }
    }

    /// <summary>The most bytes <see cref="GetBytes(string, Span{byte})"/> writes for <paramref name="s"/>.</summary>
    public static int MaxByteCount(string s) => Encoding.UTF8.GetMaxByteCount(s.Length);

    /// <summary>Writes the name's bytes (escaped bytes as themselves); returns how many.</summary>
    public static int GetBytes(string s, Span<byte> destination)
    {
        int first = FirstRawByte(s);
        if (first < 0) return Encoding.UTF8.GetBytes(s, destination);
        int written = 0;
        ReadOnlySpan<char> rest = s;
        while (first >= 0)
        {
            written += Encoding.UTF8.GetBytes(rest[..first], destination[written..]);
            destination[written++] = (byte)(rest[first] - 0xDC00);
            rest = rest[(first + 1)..];
            first = FirstRawByte(rest);
        }
        return written + Encoding.UTF8.GetBytes(rest, destination[written..]);
    }

    public static byte[] GetBytes(string s)
    {
        var bytes = new byte[MaxByteCount(s)];
        return bytes[..GetBytes(s, bytes)];
    }

    /// <summary>The name for text: each escaped byte as <c>\xNN</c>. Names that are UTF-8 are returned as they are.</summary>
    public static string Escape(string s)
    {
        if (FirstRawByte(s) < 0) return s;
        var text = new StringBuilder(s.Length + 8);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool raw = c is >= '\uDC80' and <= '\uDCFF' && (i == 0 || !char.IsHighSurrogate(s[i - 1]));
            if (raw) text.Append($"\\x{c - 0xDC00:x2}");
            else text.Append(c);
        }
        return text.ToString();
    }
}

/// <summary>The kind of a directory entry, from the listing itself.</summary>
internal enum EntryKind : byte { File, Directory, Link, Special, Unknown }

/// <summary>
/// Lists an open directory with getdents64 (Linux, x64 and arm64): byte-exact names and each entry's type with no stat
/// per entry, on the descriptor the directory's files are then opened in. .NET's enumeration decodes names lossily
/// (a non-UTF-8 name could not be opened again) and does not say which entries are sockets, pipes or devices.
/// </summary>
internal static unsafe partial class DirectoryListing
{
    private const byte DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;

    private static readonly nint GetdentsNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 217,
        Architecture.Arm64 => 61,
        _ => -1,
    };

    /// <summary>False where the walk lists directories through .NET instead.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && GetdentsNumber > 0;

    public const int BufferBytes = 32 * 1024;

    /// <summary>Appends the entries of <paramref name="fd"/> (not . and ..); 0, or the errno that stopped the listing.</summary>
    public static int List(int fd, byte[] buffer, List<(string Name, EntryKind Kind, bool RawBytes)> into)
    {
        fixed (byte* b = buffer)
            while (true)
            {
                long n = syscall(GetdentsNumber, fd, (nint)b, buffer.Length);
                if (n == 0) return 0;
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == 4) continue;   // EINTR
                    return errno;
                }
                // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), NUL-terminated name.
                for (int at = 0; at < n;)
                {
                    int length = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 16));
                    byte type = buffer[at + 18];
                    var nameBytes = buffer.AsSpan(at + 19, length - 19);
                    nameBytes = nameBytes[..nameBytes.IndexOf((byte)0)];
                    at += length;
                    if (nameBytes is [(byte)'.'] or [(byte)'.', (byte)'.']) continue;
                    var name = FileNames.Decode(nameBytes, out bool rawBytes);
                    var kind = type switch
                    {
                        DT_REG => EntryKind.File,
                        DT_DIR => EntryKind.Directory,
                        DT_LNK => EntryKind.Link,
                        DT_UNKNOWN => EntryKind.Unknown,
                        _ => EntryKind.Special,   // socket, named pipe, character or block device
                    };
                    into.Add((name, kind, rawBytes));
                }
            }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(nint number, nint a1, nint a2, nint a3);

    /// <summary>The canonical path (every link resolved), or null with errno set (ENOENT, ELOOP, …).</summary>
    public static string? RealPath(string path, out int errno)
    {
        errno = 0;
        int max = FileNames.MaxByteCount(path) + 1;
        Span<byte> bytes = max <= 4096 ? stackalloc byte[max] : new byte[max];
        int n = FileNames.GetBytes(path, bytes);
        bytes[n] = 0;
        byte* resolved;
        fixed (byte* p = bytes) resolved = realpath(p, null);
        if (resolved == null) { errno = Marshal.GetLastPInvokeError(); return null; }
        try { return FileNames.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(resolved)); }
        finally { NativeMemory.Free(resolved); }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial byte* realpath(byte* path, byte* resolved);
}
