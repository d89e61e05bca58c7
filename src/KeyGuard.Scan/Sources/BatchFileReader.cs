using System.Runtime.InteropServices;
using System.Text;

namespace KeyGuard.Sources;

/// <summary>What became of one file of a batch.</summary>
/// <param name="Length">Bytes read (the whole file unless <paramref name="TooLarge"/>).</param>
/// <param name="Errno">The open or read error, 0 when none.</param>
/// <param name="TooLarge">The file filled its slot: read it another way.</param>
internal readonly record struct BatchRead(int Length, int Errno, bool TooLarge);

/// <summary>
/// Reads up to <see cref="Slots"/> small files with one system call on Linux (io_uring): each file is opened into a
/// ring-owned descriptor, read into its own slot and closed, linked, all in one submission. On a tree of source
/// files the open/read/close system calls themselves (entry, exit, the hypervisor's interrupt handling) cost more
/// than the kernel's work in them; a batch pays them once. Where io_uring is missing or refused (old kernels,
/// container seccomp profiles, KEYGUARD_IO_URING=0), <see cref="TryCreate"/> returns null and files are read
/// one by one as before.
/// </summary>
internal sealed unsafe partial class BatchFileReader : IDisposable
{
    public const int Slots = 32;
    /// <summary>
    /// Files up to this size are read in the batch; larger ones are read again on their own. Most source files are
    /// far smaller, and every scanning thread holds <see cref="Slots"/> of these (2 MB): a 64-core machine's default
    /// 64 threads stay at 128 MB even where every slot has held a file this large.
    /// </summary>
    public const int SlotBytes = 64 * 1024;
    private const int Entries = 128;   // three entries per slot, a power of two

    private const int SYS_io_uring_setup = 425, SYS_io_uring_enter = 426, SYS_io_uring_register = 427;
    private const int IORING_OP_OPENAT = 18, IORING_OP_CLOSE = 19, IORING_OP_READ = 22;
    private const byte IOSQE_FIXED_FILE = 1, IOSQE_IO_HARDLINK = 8;
    private const uint IORING_ENTER_GETEVENTS = 1;
    private const uint IORING_REGISTER_FILES = 2;
    private const uint IORING_FEAT_SINGLE_MMAP = 1, IORING_FEAT_LINKED_FILE = 1 << 12;
    private const long IORING_OFF_SQ_RING = 0, IORING_OFF_CQ_RING = 0x8000000, IORING_OFF_SQES = 0x10000000;
    private const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;
    private const int O_RDONLY = 0, O_NONBLOCK = 0x800;
    private const int EINTR = 4, EINVAL = 22, EOPNOTSUPP = 95, ENOSYS = 38, EBADF = 9;

    private static volatile bool _unavailable = !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("KEYGUARD_IO_URING") == "0"
                                                 || !WholeFileReader.Raw;

    /// <summary>False once io_uring was found missing or refused in this process.</summary>
    public static bool Available => !_unavailable;

    [StructLayout(LayoutKind.Sequential)]
    private struct Params
    {
        public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd, Resv0, Resv1, Resv2;
        public uint SqHead, SqTail, SqRingMask, SqRingEntries, SqFlags, SqDropped, SqArray, SqResv1;
        public ulong SqUserAddr;
        public uint CqHead, CqTail, CqRingMask, CqRingEntries, CqOverflow, CqCqes, CqFlags, CqResv1;
        public ulong CqUserAddr;
    }

    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Off;
        [FieldOffset(16)] public ulong Addr;
        [FieldOffset(24)] public uint Len;
        [FieldOffset(28)] public uint OpFlags;
        [FieldOffset(32)] public ulong UserData;
        [FieldOffset(44)] public uint FileIndex;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Cqe
    {
        public ulong UserData;
        public int Res;
        public uint Flags;
    }

    private readonly int _ring;
    private readonly byte* _sqRing, _cqRing;
    private readonly nuint _sqRingSize, _cqRingSize, _sqesSize;
    private readonly Sqe* _sqes;
    private readonly uint* _sqTail, _sqArray, _cqHead, _cqTail;
    private readonly uint _sqMask, _cqMask;
    private readonly Cqe* _cqes;
    private readonly byte* _buffers;
    private readonly byte* _names;
    private const int NameBytes = 4096;
    private bool _disposed;

    private BatchFileReader(int ring, in Params p)
    {
        _ring = ring;
        _sqRingSize = p.SqArray + p.SqEntries * sizeof(uint);
        _cqRingSize = p.CqCqes + p.CqEntries * (uint)sizeof(Cqe);
        bool single = (p.Features & IORING_FEAT_SINGLE_MMAP) != 0;
        if (single) _sqRingSize = _cqRingSize = Math.Max(_sqRingSize, _cqRingSize);
        _sqRing = Map(_sqRingSize, IORING_OFF_SQ_RING);
        _cqRing = single ? _sqRing : Map(_cqRingSize, IORING_OFF_CQ_RING);
        _sqesSize = p.SqEntries * (nuint)sizeof(Sqe);
        _sqes = (Sqe*)Map(_sqesSize, IORING_OFF_SQES);
        _sqTail = (uint*)(_sqRing + p.SqTail);
        _sqArray = (uint*)(_sqRing + p.SqArray);
        _sqMask = *(uint*)(_sqRing + p.SqRingMask);
        _cqHead = (uint*)(_cqRing + p.CqHead);
        _cqTail = (uint*)(_cqRing + p.CqTail);
        _cqMask = *(uint*)(_cqRing + p.CqRingMask);
        _cqes = (Cqe*)(_cqRing + p.CqCqes);
        _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)Slots * SlotBytes, 4096);
        _names = (byte*)NativeMemory.Alloc((nuint)Slots * NameBytes);
    }

    private byte* Map(nuint size, long offset)
    {
        var p = mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, _ring, offset);
        if (p == (void*)-1) throw new IOException("io_uring: mmap failed");
        return (byte*)p;
    }

    /// <summary>A reader for the calling thread, or null where io_uring cannot be used (then read file by file).</summary>
    public static BatchFileReader? TryCreate()
    {
        if (_unavailable) return null;
        var p = new Params();
        int ring = (int)syscall(SYS_io_uring_setup, Entries, (nint)(&p), 0, 0, 0, 0);
        if (ring < 0) { _unavailable = true; return null; }
        // The read in each chain uses the descriptor the open before it installs: kernels before 5.18 resolve a
        // linked request's ring descriptor at submission, before the open ran (and before 5.15 an open into a ring
        // descriptor is an ordinary open and the close would close descriptor 0). Without this feature: no batches.
        if ((p.Features & IORING_FEAT_LINKED_FILE) == 0)
        {
            close(ring);
            _unavailable = true;
            return null;
        }
        BatchFileReader? reader = null;
        try
        {
            reader = new BatchFileReader(ring, p);
            // A sparse table of ring-owned descriptors: each slot's file is opened into its own entry.
            var empty = stackalloc int[Slots];
            for (int i = 0; i < Slots; i++) empty[i] = -1;
            if (syscall(SYS_io_uring_register, ring, (nint)IORING_REGISTER_FILES, (nint)empty, Slots, 0, 0) < 0)
                throw new IOException("io_uring: no registered files");
            return reader;
        }
        catch (IOException)
        {
            _unavailable = true;
            if (reader != null) reader.Dispose(); else close(ring);
            return null;
        }
    }

    /// <summary>The bytes read into <paramref name="slot"/>.</summary>
    public ReadOnlySpan<byte> Data(int slot, int length) => new(_buffers + (nint)slot * SlotBytes, length);

    /// <summary>
    /// Opens, reads and closes up to <see cref="Slots"/> files, named relative to <paramref name="directory"/>
    /// (an open directory, or -100 for paths relative to the working directory). False when io_uring turned out
    /// not to support what this needs (old kernels): read these files another way; the reader is then disabled.
    /// </summary>
    public bool Read(int directory, ReadOnlySpan<string> names, Span<BatchRead> results)
    {
        int count = names.Length;
        if (count > Slots) throw new ArgumentOutOfRangeException(nameof(names));
        uint tail = *_sqTail;
        for (int i = 0; i < count; i++)
        {
            byte* name = _names + (nint)i * NameBytes;
            int n = FileNames.GetBytes(names[i], new Span<byte>(name, NameBytes - 1));
            name[n] = 0;
            // Open into ring descriptor i, read it into slot i, close it: hard links, so the close runs whatever
            // the read did and the slot is free for the next batch.
            Put(tail++, new Sqe { Opcode = IORING_OP_OPENAT, Flags = IOSQE_IO_HARDLINK, Fd = directory, Addr = (ulong)name, OpFlags = O_RDONLY | O_NONBLOCK, FileIndex = (uint)i + 1, UserData = (ulong)i * 4 });
            Put(tail++, new Sqe { Opcode = IORING_OP_READ, Flags = IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK, Fd = i, Addr = (ulong)(_buffers + (nint)i * SlotBytes), Len = SlotBytes, UserData = (ulong)i * 4 + 1 });
            Put(tail++, new Sqe { Opcode = IORING_OP_CLOSE, FileIndex = (uint)i + 1, UserData = (ulong)i * 4 + 2 });
        }
        Volatile.Write(ref *_sqTail, tail);

        int submit = 3 * count, pending = 3 * count;
        Span<int> openResult = stackalloc int[Slots];
        Span<int> readResult = stackalloc int[Slots];
        bool unsupported = false;
        while (pending > 0)
        {
            long r = syscall(SYS_io_uring_enter, _ring, submit, pending, (nint)IORING_ENTER_GETEVENTS, 0, 0);
            if (r < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR) continue;
                // Refused mid-way (a seccomp filter, a resource limit): everything submitted is still settled by
                // the kernel, but this ring is not trusted again; the caller reads these files one by one.
                _unavailable = true;
                return false;
            }
            submit -= (int)r;
            uint head = *_cqHead, ready = Volatile.Read(ref *_cqTail);
            for (; head != ready; head++, pending--)
            {
                ref var c = ref _cqes[head & _cqMask];
                int slot = (int)(c.UserData >> 2);
                switch ((int)(c.UserData & 3))
                {
                    case 0:
                        openResult[slot] = c.Res;
                        if (c.Res is -EINVAL or -EOPNOTSUPP or -ENOSYS) unsupported = true;
                        break;
                    case 1: readResult[slot] = c.Res; break;
                }
            }
            Volatile.Write(ref *_cqHead, head);
        }
        if (unsupported)
        {
            _unavailable = true;
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            int open = openResult[i], read = readResult[i];
            results[i] = open < 0 ? new BatchRead(0, -open, false)
                : read < 0 ? new BatchRead(0, -read, false)
                // A regular file reads short only at its end: a full slot may hold only the start of it.
                : new BatchRead(read, 0, read == SlotBytes);
        }
        return true;
    }

    private void Put(uint index, in Sqe sqe)
    {
        uint at = index & _sqMask;
        _sqes[at] = sqe;
        _sqArray[at] = at;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_sqes != null) munmap(_sqes, _sqesSize);
        if (_cqRing != null && _cqRing != _sqRing) munmap(_cqRing, _cqRingSize);
        if (_sqRing != null) munmap(_sqRing, _sqRingSize);
        close(_ring);
        NativeMemory.AlignedFree(_buffers);
        NativeMemory.Free(_names);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    [LibraryImport("libc", SetLastError = true)]
    private static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc")]
    private static partial int munmap(void* addr, nuint length);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
