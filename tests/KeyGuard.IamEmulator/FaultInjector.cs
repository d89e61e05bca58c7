using System.Collections.Concurrent;

namespace KeyGuard.IamEmulator;

public enum FaultKind
{
    /// <summary>400 Throttling ("Rate exceeded").</summary>
    Throttling,
    /// <summary>403 AccessDenied naming the action, like IAM's "is not authorized to perform".</summary>
    AccessDenied,
    /// <summary>500 ServiceFailure.</summary>
    ServiceFailure,
    /// <summary>Answers normally after <see cref="Fault.Delay"/>.</summary>
    Slow,
    /// <summary>Acts, then answers 200 with an empty body (a proxy or stub that swallowed the answer).</summary>
    EmptyBody,
    /// <summary>Acts, then answers 200 with the first half of the XML.</summary>
    TruncatedBody,
    /// <summary>Acts, then answers 200 with valid XML padded past 12 MB, chunked (no Content-Length to refuse early).</summary>
    OversizedBody,
    /// <summary>Acts, then drops the connection: the action took effect but the caller never hears of it.</summary>
    ResponseLost,
}

internal sealed class Fault(FaultKind kind, int times, TimeSpan delay)
{
    private int _remaining = times;
    public FaultKind Kind { get; } = kind;
    public TimeSpan Delay { get; } = delay;
    /// <summary>Takes one use of the fault; false once it is used up.</summary>
    internal bool TryConsume() => Interlocked.Decrement(ref _remaining) >= 0;
}

/// <summary>Per-action faults ("*" matches every action); each fires a given number of times, in order of injection.</summary>
internal sealed class FaultInjector
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new(StringComparer.Ordinal);

    /// <param name="times">How many requests the fault affects; int.MaxValue for "always".</param>
    public void Inject(string action, FaultKind kind, int times = int.MaxValue, TimeSpan delay = default) =>
        _faults.GetOrAdd(action, _ => new ConcurrentQueue<Fault>()).Enqueue(new Fault(kind, times, delay));

    public void Clear() => _faults.Clear();

    internal Fault? Next(string action) => Take(action) ?? Take("*");

    /// <summary>A regional call: "Action@region" first (one region's fault), then the action, then "*".</summary>
    internal Fault? Next(string action, string region) => Take($"{action}@{region}") ?? Next(action);

    private Fault? Take(string key)
    {
        if (!_faults.TryGetValue(key, out var queue)) return null;
        while (queue.TryPeek(out var fault))
        {
            if (fault.TryConsume()) return fault;
            queue.TryDequeue(out _);
        }
        return null;
    }
}
