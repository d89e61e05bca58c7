using System.IO.Enumeration;
using System.Runtime.ExceptionServices;
using LibGit2Sharp;
using Microsoft.Extensions.FileSystemGlobbing;

namespace KeyGuard.Sources;

/// <summary>
/// A file to scan: its path on disk and the path findings report. Walked files build both paths only when asked:
/// most files are read by name in their open directory and never reported, and building two paths per file was
/// most of what a walk allocates.
/// </summary>
public readonly struct WalkedFile
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
    internal WalkedFile(string directoryPath, string rootDisplay, string relativeDirectory, string name, OpenDirectory? directory)
    {
        _directoryPath = directoryPath;
        _rootDisplay = rootDisplay;
        _relativeDirectory = relativeDirectory;
        Name = name;
        Directory = directory;
    }

    public string FullPath => _fullPath ?? Path.Join(_directoryPath, Name);

    public string DisplayPath => _displayPath ?? FileWalker.Display(_rootDisplay!, FileWalker.Relative(_relativeDirectory!, Name!));

    /// <summary>The file's name in <see cref="Directory"/>; null for a file named on the command line.</summary>
    public string? Name { get; }

    /// <summary>While the file is handed over: its directory, open, so that opening the file by
    /// <see cref="Name"/> need not walk the whole path again.</summary>
    public OpenDirectory? Directory { get; }

    public override string ToString() => DisplayPath;
}

public sealed class WalkOptions
{
    public bool NoIgnore { get; init; }
    public bool FollowSymlinks { get; init; }
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
    /// <summary>Full paths of files never scanned, even when named (the baseline file).</summary>
    public IReadOnlyList<string> ExcludeFiles { get; init; } = [];
}

/// <summary>
/// Enumerates files under the scan paths. Hidden files are scanned (.env, .aws/ and .github/ are where secrets
/// live); only .git is skipped. Inside a git work tree .gitignore is honoured unless NoIgnore. Symlinks are
/// skipped (and counted) unless FollowSymlinks; then a broken one is an error.
/// </summary>
/// <remarks>
/// Walks on several threads at once, as ripgrep does: each thread takes a directory, lists it, leaves its
/// subdirectories for any thread to take and hands its files to the caller on the same thread. A walking thread
/// feeding scanning threads spent a fifth of a scan's CPU spinning on the queue between them.
/// </remarks>
public sealed class FileWalker(WalkOptions options)
{
    private readonly object _gate = new();
    private int _ignored;
    // ExcludeFiles by folder, so that a listing compares names only, and only in those folders.
    private readonly Dictionary<string, HashSet<string>> _excludedNames = options.ExcludeFiles
        .GroupBy(f => Path.GetDirectoryName(f) ?? "", StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    public List<(string Path, string Message)> Errors { get; } = [];
    public List<string> SkippedSymlinks { get; } = [];
    public int IgnoredCount => _ignored;

    public List<WalkedFile> Walk(string root)
    {
        var files = new List<WalkedFile>();
        Walk([root], 1, (_, f) => files.Add(f));
        return files;
    }

    /// <summary>What every directory under one root shares: how it is displayed, git's ignore rules, the globs.</summary>
    private sealed class Root(string display, Repository? repo, string? workdir, Matcher? include, Matcher? exclude)
    {
        public string Display { get; } = display;
        public Repository? Repo { get; } = repo;
        public string? Workdir { get; } = workdir;
        public Matcher? Include { get; } = include;
        public Matcher? Exclude { get; } = exclude;
        public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A directory to list, or (Root == null) a file named on the command line.</summary>
    private readonly record struct Work(string FullPath, string Relative, Root? Root, WalkedFile File);

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
        var opened = new List<Repository>();
        try
        {
            foreach (var root in roots) Plan(root, pending, opened);
            // Reversed so that the roots are taken in the order given.
            var queue = new WorkQueue(pending.Reverse());
            var workers = new Thread[Math.Max(0, threads - 1)];
            for (int i = 0; i < workers.Length; i++)
            {
                int number = i + 1;
                workers[i] = new Thread(() => Drain(queue, number, onFiles)) { IsBackground = true, Name = "keyguard scan" };
                workers[i].Start();
            }
            Drain(queue, 0, onFiles);
            foreach (var w in workers) w.Join();
            queue.Failure?.Throw();
        }
        finally { foreach (var r in opened) r.Dispose(); }
    }

    private void Plan(string root, Stack<Work> pending, List<Repository> opened)
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

        Repository? repo = null;
        string? workdir = null;
        if (!options.NoIgnore)
        {
            try
            {
                var gitDir = KeyGuard.Sources.Git.Staged.GitRepositoryLocator.Discover(full);
                if (gitDir != null)
                {
                    repo = new Repository(gitDir);
                    workdir = repo.Info.IsBare ? null : Path.GetFullPath(repo.Info.WorkingDirectory);
                    // A root the user named explicitly is scanned even if git ignores it, as ripgrep does.
                    if (workdir == null || IsIgnored(repo, workdir, full, isDir: true)) { repo.Dispose(); repo = null; }
                }
            }
            catch (LibGit2SharpException) { repo = null; }
        }
        if (repo != null) opened.Add(repo);
        Matcher? include = null, exclude = null;
        if (options.Include.Count > 0) { include = new Matcher(); include.AddIncludePatterns(options.Include); }
        if (options.Exclude.Count > 0) { exclude = new Matcher(); exclude.AddIncludePatterns(options.Exclude); }
        pending.Push(new Work(full, "", new Root(root, repo, workdir, include, exclude), default));
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

    private void Drain(WorkQueue queue, int thread, Action<int, List<WalkedFile>> onFiles)
    {
        var subdirectories = new List<Work>();
        var files = new List<WalkedFile>();
        while (queue.TryTake(out var work))
        {
            try
            {
                if (work.Root == null)
                {
                    files.Add(work.File);
                    onFiles(thread, files);
                }
                else
                {
                    using var directory = OpenDirectory.TryOpen(work.FullPath);
                    List(work, directory, subdirectories, files);
                    // Subdirectories first, so that an idle thread can start on them while this one scans.
                    queue.Add(subdirectories);
                    if (files.Count > 0) onFiles(thread, files);
                }
            }
            catch (Exception e) { queue.Stop(e); }
            finally
            {
                subdirectories.Clear();
                files.Clear();
                queue.Done();
            }
        }
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

    private void List(Work dir, OpenDirectory? directory, List<Work> subdirectories, List<WalkedFile> files)
    {
        var root = dir.Root!;
        if (options.FollowSymlinks)
        {
            // Guard against symlink cycles by the resolved directory.
            var resolved = new DirectoryInfo(dir.FullPath).ResolveLinkTarget(true)?.FullName ?? dir.FullPath;
            lock (root.Visited) if (!root.Visited.Add(resolved)) return;
        }
        List<(string Name, bool IsDirectory, bool IsLink)> entries;
        try
        {
            // The raw directory entries: type and link flag come from the listing itself, with no stat per file.
            entries = new FileSystemEnumerable<(string, bool, bool)>(dir.FullPath,
                (ref FileSystemEntry e) => (e.FileName.ToString(), e.IsDirectory, IsLink(ref e)),
                new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false }).ToList();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            lock (_gate) Errors.Add((Display(root.Display, dir.Relative), e is UnauthorizedAccessException ? "permission denied" : e.Message));
            return;
        }
        _excludedNames.TryGetValue(Path.TrimEndingDirectorySeparator(dir.FullPath), out var excludedHere);
        foreach (var (name, isDirectory, isLink) in entries)
        {
            bool isDir = isDirectory;
            if (isDir && name == ".git") continue;
            if (root.Repo != null && IsIgnored(root.Repo, root.Workdir!, Path.Join(dir.FullPath, name), isDir)) { Interlocked.Increment(ref _ignored); continue; }

            if (isLink)
            {
                if (!options.FollowSymlinks) { lock (_gate) SkippedSymlinks.Add(Display(root.Display, Relative(dir.Relative, name))); continue; }
                var target = new FileInfo(Path.Join(dir.FullPath, name)).ResolveLinkTarget(true);
                if (target == null || !target.Exists) { lock (_gate) Errors.Add((Display(root.Display, Relative(dir.Relative, name)), "broken symbolic link")); continue; }
                isDir = target is DirectoryInfo;
            }
            if (isDir)
            {
                subdirectories.Add(new Work(Path.Join(dir.FullPath, name), Relative(dir.Relative, name), root, default));
                continue;
            }
            if (root.Include != null || root.Exclude != null)
            {
                var rel = Relative(dir.Relative, name);
                // A fixed root: Match(file) alone asks the OS for the current directory on every call.
                if (root.Include != null && !root.Include.Match("/", rel).HasMatches) continue;
                if (root.Exclude != null && root.Exclude.Match("/", rel).HasMatches) continue;
            }
            if (excludedHere != null && excludedHere.Contains(name)) continue;
            files.Add(new WalkedFile(dir.FullPath, root.Display, dir.Relative, name, directory));
        }
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
