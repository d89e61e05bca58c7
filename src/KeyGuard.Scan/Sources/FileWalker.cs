using KeyGuard.Sources.Git;
using System.IO.Enumeration;
using System.Runtime.ExceptionServices;
using LibGit2Sharp;

namespace KeyGuard.Sources;

/// <summary>
/// A file to scan: its path on disk and the path findings report. Walked files build both paths only when asked:
/// most files are read by name in their open directory and never reported, and building two paths per file was
/// most of what a walk allocates.
/// </summary>
internal readonly struct WalkedFile
{
    private readonly string? _fullPath, _displayPath;
    private readonly string? _directoryPath, _rootDisplay, _relativeDirectory;

    public WalkedFile(string fullPath, string displayPath)
    {
        _fullPath = fullPath;
        _displayPath = displayPath;
    }

    /// <param name="directoryPath">The full path of the file's directory.</param>
    /// <param name="rootDisplay">The scan root as the user named it.</param>
    /// <param name="relativeDirectory">The directory's path under the root ("" for the root itself).</param>
    /// <param name="name">The file's name in its directory.</param>
    /// <param name="directory">The directory, open while the file is handed over (null when not available).</param>
    /// <param name="rawBytes">The path holds bytes that are not UTF-8 (see <see cref="FileNames"/>).</param>
    internal WalkedFile(string directoryPath, string rootDisplay, string relativeDirectory, string name, OpenDirectory? directory, bool rawBytes = false)
    {
        _directoryPath = directoryPath;
        _rootDisplay = rootDisplay;
        _relativeDirectory = relativeDirectory;
        Name = name;
        Directory = directory;
        RawBytes = rawBytes;
    }

    public string FullPath => _fullPath ?? Path.Join(_directoryPath, Name);

    /// <summary>The path as reports show it: bytes that are not UTF-8 as <c>\xNN</c>.</summary>
    public string DisplayPath => RawBytes ? FileNames.Escape(RawDisplayPath) : RawDisplayPath;

    private string RawDisplayPath => _displayPath ?? FileWalker.Display(_rootDisplay!, FileWalker.Relative(_relativeDirectory!, Name!));

    /// <summary>Whether the path holds bytes that are not UTF-8: .NET cannot open it, and JSON carries its bytes.</summary>
    public bool RawBytes { get; }

    /// <summary>Where findings in this file come from.</summary>
    public Provenance Provenance() => RawBytes
        ? new Provenance(DisplayPath) { PathBytes = FileNames.GetBytes(RawDisplayPath) }
        : new Provenance(DisplayPath);

    /// <summary>The file's name in <see cref="Directory"/>; null for a file named on the command line.</summary>
    public string? Name { get; }

    /// <summary>While the file is handed over: its directory, open, so that opening the file by
    /// <see cref="Name"/> need not walk the whole path again.</summary>
    public OpenDirectory? Directory { get; }

    public override string ToString() => DisplayPath;
}

internal sealed class WalkOptions
{
    public bool NoIgnore { get; init; }
    public bool FollowSymlinks { get; init; }
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
    /// <summary>Full paths of files never scanned, even when named (the baseline file).</summary>
    public IReadOnlyList<string> ExcludeFiles { get; init; } = [];
    /// <summary>Repositories the command already opened, shared (null: each root opens its own).</summary>
    public OpenRepositories? Repositories { get; init; }
}

/// <summary>
/// Enumerates files under the scan paths. Hidden files are scanned (.env, .aws/ and .github/ are where secrets
/// live); only .git is skipped. Inside a git work tree .gitignore is honoured unless NoIgnore. Symlinks are
/// skipped (and counted) unless FollowSymlinks; then a broken link, a link loop or a link to a directory that holds
/// it is an error for that link. Sockets, named pipes and devices inside a tree are skipped and counted (reading one
/// would fail, block, or read a disk); named on the command line they are read.
/// </summary>
/// <remarks>
/// Walks on several threads at once, as ripgrep does: each thread takes a directory, lists it, leaves its
/// subdirectories for any thread to take and hands its files to the caller on the same thread. A walking thread
/// feeding scanning threads spent a fifth of a scan's CPU spinning on the queue between them.
/// </remarks>
internal sealed class FileWalker(WalkOptions options)
{
    private readonly object _gate = new();
    private int _ignored;
    private readonly Func<string, bool>? _selected = PathSelection.Narrowing(options);

    // ExcludeFiles by folder, so that a listing compares names only, and only in those folders.
    private readonly Dictionary<string, HashSet<string>> _excludedNames = options.ExcludeFiles
        .GroupBy(f => Path.GetDirectoryName(f) ?? "", StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    public List<(string Path, string Message)> Errors { get; } = [];
    public List<string> SkippedSymlinks { get; } = [];
    public List<string> SkippedSpecial { get; } = [];
    public int IgnoredCount => _ignored;

    public List<WalkedFile> Walk(string root)
    {
        var files = new List<WalkedFile>();
        Walk([root], 1, (_, f) => files.Add(f));
        return files;
    }

    /// <summary>What every directory under one root shares: how it is displayed, git's ignore rules, the globs.</summary>
    private sealed class Root(string display, GitIgnores? ignores, string workdirPrefix, Func<string, bool>? selected)
    {
        public string Display { get; } = display;
        /// <summary>Git's ignore rules when the root is in a work tree (and ignoring is on).</summary>
        public GitIgnores? Ignores { get; } = ignores;
        /// <summary>The root's path in its work tree: "" or ending in '/'.</summary>
        public string WorkdirPrefix { get; } = workdirPrefix;
        /// <summary>The --include/--exclude test (<see cref="PathSelection"/>), null when every path is in.</summary>
        public Func<string, bool>? Selected { get; } = selected;
        /// <summary>Directories listed, by real path (FollowSymlinks only): one reached twice through links is listed once.</summary>
        public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A directory to list, or (Root == null) a file named on the command line, or (Files set) a share of a
    /// large directory's files for whichever thread is free.</summary>
    /// <param name="RealPath">With FollowSymlinks, the directory's path with every link resolved.</param>
    /// <param name="RawBytes">The path holds bytes that are not UTF-8.</param>
    /// <param name="Ignores">The .gitignore files of the directories above this one.</param>
    /// <param name="Files">Files already listed; they hold a share of their open directory, released when scanned.</param>
    private readonly record struct Work(string FullPath, string Relative, Root? Root, WalkedFile File, string? RealPath = null, bool RawBytes = false,
        GitIgnoreStack? Ignores = null, List<WalkedFile>? Files = null);

    /// <summary>
    /// A directory with more files than this is scanned in shares of this many (one batch of reads each), so that
    /// one directory holding most of a tree (an SDK's `apis/`, a service-model folder) keeps every thread busy
    /// instead of one.
    /// </summary>
    internal const int ShareFiles = BatchFileReader.Slots;

    /// <summary>
    /// Hands each file to <paramref name="onFile"/> with the number (0 to threads-1) of the thread that found it,
    /// on that thread. The calling thread is thread 0. An exception from <paramref name="onFile"/> stops the walk
    /// and is rethrown here.
    /// </summary>
    public void Walk(IReadOnlyList<string> roots, int threads, Action<int, WalkedFile> onFile) =>
        WalkBatches(roots, threads, (thread, files) => { foreach (var f in files) onFile(thread, f); });

    /// <summary>
    /// As <see cref="Walk(IReadOnlyList{string}, int, Action{int, WalkedFile})"/>, handing over each directory's
    /// files together (while the directory is open), or a file named on the command line alone.
    /// </summary>
    public void WalkBatches(IReadOnlyList<string> roots, int threads, Action<int, List<WalkedFile>> onFiles)
    {
        var pending = new Stack<Work>();
        foreach (var root in roots) Plan(root, pending);
        // Reversed so that the roots are taken in the order given.
        var queue = new WorkQueue(pending.Reverse());
        var workers = new Thread[Math.Max(0, threads - 1)];
        for (int i = 0; i < workers.Length; i++)
        {
            int number = i + 1;
            workers[i] = new Thread(() => Drain(queue, number, onFiles, share: true)) { IsBackground = true, Name = "keyguard scan" };
            workers[i].Start();
        }
        Drain(queue, 0, onFiles, workers.Length > 0);
        foreach (var w in workers) w.Join();
        // A failure stops the walk with shares still queued: their directories are let go here.
        foreach (var left in queue.Left()) if (left.Files is { Count: > 0 } share) share[0].Directory?.Dispose();
        queue.Failure?.Throw();
    }

    private void Plan(string root, Stack<Work> pending)
    {
        var full = Path.GetFullPath(root);
        if (File.Exists(full) || (!Directory.Exists(full) && IsLink(full)))
        {
            if (_excludedNames.TryGetValue(Path.GetDirectoryName(full) ?? "", out var names) && names.Contains(Path.GetFileName(full))) return;
            var info = new FileInfo(full);
            if (info.LinkTarget != null && !File.Exists(full)) { Errors.Add((root, "broken symbolic link")); return; }
            pending.Push(new Work(full, "", null, new WalkedFile(full, root)));
            return;
        }
        if (!Directory.Exists(full)) { Errors.Add((root, "no such file or directory")); return; }

        GitIgnores? ignores = null;
        GitIgnoreStack? above = null;
        string prefix = "";
        if (!options.NoIgnore)
        {
            try
            {
                var gitDir = KeyGuard.Sources.Git.Staged.GitRepositoryLocator.Discover(full);
                if (gitDir != null)
                {
                    using var lease = OpenRepositories.Borrow(options.Repositories, gitDir);
                    var repo = lease.Repository;
                    var workdir = repo.Info.IsBare ? null : Path.GetFullPath(repo.Info.WorkingDirectory);
                    // A root the user named explicitly is scanned even if git ignores it, as ripgrep does.
                    if (workdir != null && !IsIgnored(repo, workdir, full, isDir: true)
                        && WorkdirPath(workdir, full) is { } rootInWorkdir)
                    {
                        ignores = GitIgnores.Load(repo);
                        prefix = rootInWorkdir.Length == 0 ? "" : rootInWorkdir + "/";
                        above = IgnoreFilesAbove(workdir, rootInWorkdir);
                    }
                }
            }
            catch (LibGit2SharpException) { ignores = null; }
        }
        string? real = options.FollowSymlinks ? RealPath(full, out _) : null;
        pending.Push(new Work(full, "", new Root(root, ignores, prefix, _selected), default, real, Ignores: above));
    }

    /// <summary>Directories waiting to be listed, shared by the walking threads; done when empty and nobody is busy.</summary>
    private sealed class WorkQueue(IEnumerable<Work> initial)
    {
        private readonly Stack<Work> _stack = new(initial);
        private int _busy;
        private bool _stopped;
        public ExceptionDispatchInfo? Failure { get; private set; }

        public bool TryTake(out Work work)
        {
            lock (_stack)
            {
                while (_stack.Count == 0 || _stopped)
                {
                    if (_busy == 0 || _stopped) { Monitor.PulseAll(_stack); work = default; return false; }
                    Monitor.Wait(_stack);
                }
                work = _stack.Pop();
                _busy++;
                return true;
            }
        }

        public void Add(List<Work> directories)
        {
            if (directories.Count == 0) return;
            lock (_stack)
            {
                // Reversed so that one thread alone takes them in listing order.
                for (int i = directories.Count - 1; i >= 0; i--) _stack.Push(directories[i]);
                Monitor.PulseAll(_stack);
            }
        }

        public void Done()
        {
            lock (_stack)
            {
                _busy--;
                if (_busy == 0 && _stack.Count == 0) Monitor.PulseAll(_stack);
            }
        }

        /// <summary>What no thread took (after a failure).</summary>
        public Work[] Left()
        {
            lock (_stack) return [.. _stack];
        }

        public void Stop(Exception e)
        {
            lock (_stack)
            {
                Failure ??= ExceptionDispatchInfo.Capture(e);
                _stopped = true;
                Monitor.PulseAll(_stack);
            }
        }
    }

    private void Drain(WorkQueue queue, int thread, Action<int, List<WalkedFile>> onFiles, bool share)
    {
        var subdirectories = new List<Work>();
        var files = new List<WalkedFile>();
        var entries = new List<(string Name, EntryKind Kind, bool RawBytes)>();
        var listing = DirectoryListing.Supported ? new byte[DirectoryListing.BufferBytes] : null;
        while (queue.TryTake(out var work))
        {
            try
            {
                if (work.Files is { } shared)
                {
                    try { onFiles(thread, shared); }
                    finally { shared[0].Directory?.Dispose(); }
                }
                else if (work.Root == null)
                {
                    files.Add(work.File);
                    onFiles(thread, files);
                }
                else
                {
                    using var directory = OpenDirectory.TryOpen(work.FullPath, out int openErrno);
                    List(work, directory, openErrno, listing, entries, subdirectories, files);
                    if (share && files.Count > ShareFiles) ShareOut(files, directory, subdirectories);
                    // Subdirectories (and shares) first, so that an idle thread can start on them while this one scans.
                    queue.Add(subdirectories);
                    if (files.Count > 0) onFiles(thread, files);
                }
            }
            catch (Exception e) { queue.Stop(e); }
            finally
            {
                subdirectories.Clear();
                files.Clear();
                entries.Clear();
                queue.Done();
            }
        }
    }

    /// <summary>Keeps the first share of a large directory's files for this thread and queues the rest.</summary>
    private static void ShareOut(List<WalkedFile> files, OpenDirectory? directory, List<Work> queued)
    {
        for (int start = ShareFiles; start < files.Count; start += ShareFiles)
        {
            directory?.Share();
            queued.Add(new Work("", "", null, default, Files: files.GetRange(start, Math.Min(ShareFiles, files.Count - start))));
        }
        files.RemoveRange(ShareFiles, files.Count - ShareFiles);
    }

    private static bool _noLinkAccessor;

    /// <summary>
    /// Whether an entry is a symbolic link, from the directory listing's entry type. The public route,
    /// <see cref="FileSystemEntry.Attributes"/>, costs an lstat and a geteuid per file: half of walking a tree.
    /// </summary>
    private static bool IsLink(ref FileSystemEntry e)
    {
        if (!_noLinkAccessor)
        {
            try { return EntryIsSymbolicLink(ref e); }
            catch (MissingMethodException) { _noLinkAccessor = true; }
        }
        return (e.Attributes & FileAttributes.ReparsePoint) != 0;
    }

    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = "get_IsSymbolicLink")]
    private static extern bool EntryIsSymbolicLink(ref FileSystemEntry entry);

    private static bool IsLink(string path)
    {
        try { return new FileInfo(path).LinkTarget != null; } catch (IOException) { return false; }
    }

    private void List(Work dir, OpenDirectory? directory, int openErrno, byte[]? listing, List<(string Name, EntryKind Kind, bool RawBytes)> entries,
        List<Work> subdirectories, List<WalkedFile> files)
    {
        var root = dir.Root!;
        if (options.FollowSymlinks && dir.RealPath != null)
            lock (root.Visited) if (!root.Visited.Add(dir.RealPath)) return;
        if (listing != null)
        {
            // Linux: the open directory is listed by bytes, with each entry's type.
            int errno = directory != null ? DirectoryListing.List(directory.Fd, listing, entries) : openErrno;
            if (errno != 0) { Error(root, dir.Relative, WholeFileReader.Describe(errno)); return; }
        }
        else
        {
            try
            {
                // The raw directory entries: type and link flag come from the listing itself, with no stat per file.
                entries.AddRange(new FileSystemEnumerable<(string, EntryKind, bool)>(dir.FullPath,
                    (ref FileSystemEntry e) => (e.FileName.ToString(), IsLink(ref e) ? EntryKind.Link : e.IsDirectory ? EntryKind.Directory : EntryKind.File, false),
                    new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false }));
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                Error(root, dir.Relative, e is UnauthorizedAccessException ? "permission denied" : e.Message);
                return;
            }
        }
        _excludedNames.TryGetValue(Path.TrimEndingDirectorySeparator(dir.FullPath), out var excludedHere);
        var ignoreStack = dir.Ignores;
        string folder = "";
        if (root.Ignores != null)
        {
            folder = dir.Relative.Length == 0 ? root.WorkdirPrefix : root.WorkdirPrefix + dir.Relative + "/";
            foreach (var (name, kind, _) in entries)
                if (name == ".gitignore" && kind is EntryKind.File or EntryKind.Link or EntryKind.Unknown
                    && GitIgnores.TryRead(Path.Join(dir.FullPath, name)) is { } content)
                    ignoreStack = GitIgnores.Enter(ignoreStack, folder, content);
        }
        foreach (var (name, listed, nameRaw) in entries)
        {
            var kind = listed == EntryKind.Unknown ? KindOf(Path.Join(dir.FullPath, name)) : listed;
            bool isDir = kind == EntryKind.Directory, rawBytes = dir.RawBytes || nameRaw;
            if (isDir && name == ".git") continue;
            // libgit2 took a link to a directory for a directory (it stats the path).
            if (root.Ignores != null && root.Ignores.IsIgnored(ignoreStack, folder, name, isDir || (kind == EntryKind.Link && Directory.Exists(Path.Join(dir.FullPath, name)))))
            {
                Interlocked.Increment(ref _ignored);
                continue;
            }

            string? realPath = null;
            if (kind == EntryKind.Link)
            {
                if (!options.FollowSymlinks) { lock (_gate) SkippedSymlinks.Add(FileNames.Escape(Display(root.Display, Relative(dir.Relative, name)))); continue; }
                if (!Follow(dir, name, out isDir, out realPath)) continue;
            }
            else if (kind == EntryKind.Special)
            {
                lock (_gate) SkippedSpecial.Add(FileNames.Escape(Display(root.Display, Relative(dir.Relative, name))));
                continue;
            }
            if (isDir)
            {
                realPath ??= dir.RealPath == null ? null : dir.RealPath == "/" ? "/" + name : dir.RealPath + "/" + name;
                subdirectories.Add(new Work(Path.Join(dir.FullPath, name), Relative(dir.Relative, name), root, default, realPath, rawBytes, ignoreStack));
                continue;
            }
            if (root.Selected != null && !root.Selected(Relative(dir.Relative, name))) continue;
            if (excludedHere != null && excludedHere.Contains(name)) continue;
            files.Add(new WalkedFile(dir.FullPath, root.Display, dir.Relative, name, directory, rawBytes));
        }
    }

    private void Error(Root root, string relative, string message)
    {
        lock (_gate) Errors.Add((FileNames.Escape(Display(root.Display, relative)), message));
    }

    /// <summary>An entry whose type the file system did not list (a few file systems never do): one lstat.</summary>
    private static EntryKind KindOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget != null) return EntryKind.Link;
            return (info.Attributes & FileAttributes.Directory) != 0 ? EntryKind.Directory : EntryKind.File;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return EntryKind.File; }
    }

    /// <summary>
    /// Where a symbolic link leads (FollowSymlinks): false, with one error for the link, when it leads nowhere, loops,
    /// or leads to a directory that holds it (walking it would never end).
    /// </summary>
    private bool Follow(Work dir, string name, out bool isDir, out string? realPath)
    {
        var full = Path.Join(dir.FullPath, name);
        isDir = false;
        realPath = RealPath(full, out int errno);
        string? problem = realPath != null ? null : errno switch
        {
            ENOENT or ENOTDIR => "broken symbolic link",
            ELOOP => "symbolic link loop",
            _ => WholeFileReader.Describe(errno),
        };
        if (realPath != null && (isDir = Directory.Exists(realPath)) && dir.RealPath != null
            && (realPath == "/" || dir.RealPath == realPath || dir.RealPath.StartsWith(realPath + "/", StringComparison.Ordinal)))
            problem = "symbolic link cycle: it leads to a directory that holds it";
        if (problem == null) return true;
        Error(dir.Root!, Relative(dir.Relative, name), problem);
        return false;
    }

    private const int ENOENT = 2, ENOTDIR = 20, ELOOP = 40;

    /// <summary>The path with every link resolved; null with an errno when it cannot be.</summary>
    private static string? RealPath(string path, out int errno)
    {
        if (DirectoryListing.Supported) return DirectoryListing.RealPath(path, out errno);
        errno = 0;
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(true);
            if (target == null) return Path.GetFullPath(path);
            if (target.Exists || Directory.Exists(target.FullName)) return target.FullName;
            errno = ENOENT;
        }
        catch (IOException) { errno = ELOOP; }
        return null;
    }

    /// <summary>The path relative to the work tree with '/' separators ("" for its top), or null when outside it.</summary>
    private static string? WorkdirPath(string workdir, string fullPath)
    {
        var top = Path.TrimEndingDirectorySeparator(workdir);
        var path = Path.TrimEndingDirectorySeparator(fullPath);
        if (path == top) return "";
        if (!path.StartsWith(top + "/", StringComparison.Ordinal)) return null;
        return path[(top.Length + 1)..].Replace('\\', '/');
    }

    /// <summary>The .gitignore files of the folders from the work tree's top down to the root's parent.</summary>
    private static GitIgnoreStack? IgnoreFilesAbove(string workdir, string rootInWorkdir)
    {
        GitIgnoreStack? stack = null;
        if (rootInWorkdir.Length == 0) return null;
        var parts = rootInWorkdir.Split('/');
        string folder = "";
        for (int i = 0; i < parts.Length; i++)
        {
            if (GitIgnores.TryRead(Path.Join(workdir, folder, ".gitignore")) is { } content) stack = GitIgnores.Enter(stack, folder, content);
            folder += parts[i] + "/";
        }
        return stack;
    }

    private static bool IsIgnored(Repository repo, string workdir, string fullPath, bool isDir)
    {
        if (!fullPath.StartsWith(workdir, StringComparison.Ordinal)) return false;
        var rel = fullPath[workdir.Length..].Replace('\\', '/');
        if (rel.Length == 0) return false;
        // One repository object serves every walking thread; libgit2's ignore cache is not shared safely.
        try { lock (repo) return repo.Ignore.IsPathIgnored(isDir ? rel + "/" : rel); }
        catch (LibGit2SharpException) { return false; }
    }

    internal static string Relative(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    /// <summary>Findings name files the way the user named the root: "src/a.env" for ".", "/tmp/x/a.env" for "/tmp/x".</summary>
    public static string Display(string root, string relative)
    {
        if (relative.Length == 0) return root;
        if (root is "." or "./") return relative;
        return root.EndsWith('/') ? root + relative : root + "/" + relative;
    }
}
