using System.Collections.Concurrent;

namespace KeyGuard.IamEmulator;

/// <summary>One request as the emulator saw it: which action, signed by which key, with which parameters.</summary>
internal sealed record LoggedOperation(
    DateTimeOffset At, string Service, string Action, string? CallerKeyId,
    IReadOnlyDictionary<string, string> Parameters, int HttpStatus, string? ErrorCode, string? UserAgent = null)
{
    public string? Parameter(string name) => Parameters.GetValueOrDefault(name);
}

/// <summary>Every request the emulator answered, in order, so tests can assert what was (and was not) sent.</summary>
internal sealed class OperationLog
{
    private readonly ConcurrentQueue<LoggedOperation> _entries = new();

    public IReadOnlyList<LoggedOperation> Entries => _entries.ToList();
    public IEnumerable<LoggedOperation> Of(string action) => Entries.Where(e => e.Action == action);
    public void Clear() => _entries.Clear();
    internal void Add(LoggedOperation entry) => _entries.Enqueue(entry);
}
