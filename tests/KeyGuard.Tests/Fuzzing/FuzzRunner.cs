using System.Diagnostics;
using System.Text;

namespace KeyGuard.Tests.Fuzzing;

/// <summary>
/// A parser under fuzz: its seed inputs (built at run time from valid inputs), extra tokens for the mutator, the call,
/// and the exceptions it is documented to throw (what the CLI turns into a one-line error). Anything else it throws
/// is a failure.
/// </summary>
internal sealed record FuzzTarget(
    string Name,
    Func<IReadOnlyList<byte[]>> Seeds,
    Action<byte[]> Run,
    Func<Exception, bool> Expected,
    IReadOnlyList<string>? Tokens = null,
    int ShortRunInputs = 400,
    long AllocationPerInputByte = 256)
{
    public override string ToString() => Name;
}

/// <summary>One distinct failure: what was thrown (or "hang"/"allocation") and where, with the smallest input seen.</summary>
internal sealed record FuzzFailure(string Signature, string Detail, byte[] Input, long InputNumber);

internal sealed record FuzzReport(string Target, long Inputs, TimeSpan Elapsed, IReadOnlyList<FuzzFailure> Failures)
{
    public double InputsPerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 1e-3);

    public string Summary =>
        $"{Target,-18} {Inputs,10:N0} inputs {Elapsed.TotalSeconds,7:F1} s {InputsPerSecond,9:N0}/s  {Failures.Count} distinct failure(s)";

    public string Describe()
    {
        var text = new StringBuilder(Summary);
        foreach (var f in Failures)
            text.Append($"\n  {f.Signature} (input #{f.InputNumber}, {f.Input.Length} bytes): {f.Detail}\n    base64: {Convert.ToBase64String(f.Input.AsSpan(0, Math.Min(f.Input.Length, 2048)))}");
        return text.ToString();
    }
}

/// <summary>
/// Feeds a target its seeds, then mutated inputs from a seeded generator, on one worker thread watched by the caller:
/// an input that runs past the per-input limit is a hang, and ends the run (the thread cannot be stopped, so it is
/// abandoned). Each input's allocations are measured; more than <see cref="AllocationCap"/> is a failure too.
/// </summary>
internal static class FuzzRunner
{
    public const string SecondsVariable = "KEYGUARD_FUZZ_SECONDS";
    public const string ReportVariable = "KEYGUARD_FUZZ_REPORT";
    public const string FailuresDirVariable = "KEYGUARD_FUZZ_FAILURES";
    public const ulong DefaultSeed = 20261113;

    /// <summary>No input should need more than this (a 1 KB input must not allocate 1 GB): 64 MB, plus the target's
    /// allowance per input byte (256 by default: parsers that build a tree or copy the input a few times).</summary>
    public static long AllocationCap(FuzzTarget target, int inputLength) => (64L << 20) + target.AllocationPerInputByte * inputLength;

    public static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(5);

    /// <summary>The suite's short run, or the bench's long one when KEYGUARD_FUZZ_SECONDS is set.</summary>
    public static FuzzReport RunConfigured(FuzzTarget target)
    {
        var seconds = Environment.GetEnvironmentVariable(SecondsVariable);
        var seedText = Environment.GetEnvironmentVariable("KEYGUARD_FUZZ_SEED");
        ulong seed = ulong.TryParse(seedText, out var s) ? s : DefaultSeed;
        var report = double.TryParse(seconds, System.Globalization.CultureInfo.InvariantCulture, out var budget) && budget > 0
            ? Run(target, seed, long.MaxValue, TimeSpan.FromSeconds(budget))
            : Run(target, seed, target.ShortRunInputs, TimeSpan.FromSeconds(3));
        Record(report);
        return report;
    }

    public static FuzzReport Run(FuzzTarget target, ulong seed, long maxInputs, TimeSpan budget)
    {
        var seeds = target.Seeds();
        if (seeds.Count == 0) throw new InvalidOperationException($"{target.Name}: no seeds");
        var random = new FuzzRandom(seed ^ FuzzRandom.StableHash(target.Name));
        var tokens = (target.Tokens ?? []).Select(t => Encoding.UTF8.GetBytes(t)).ToList();
        int maxLength = Math.Max(64 * 1024, 4 * seeds.Max(x => x.Length));
        var mutator = new Mutator(random, seeds, tokens, maxLength);
        var failures = new Dictionary<string, FuzzFailure>();
        long inputs = 0;
        long currentStarted = 0;   // Stopwatch timestamp of the input under way; 0 between inputs
        byte[]? current = null;
        var clock = Stopwatch.StartNew();

        var worker = new Thread(() =>
        {
            for (long n = 0; n < maxInputs && clock.Elapsed < budget; n++)
            {
                var input = n < seeds.Count ? seeds[(int)n] : mutator.Next();
                Volatile.Write(ref current, input);
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                Volatile.Write(ref currentStarted, Stopwatch.GetTimestamp());
                Exception? thrown = null;
                try { target.Run(input); }
                catch (Exception e) { thrown = e; }
                Volatile.Write(ref currentStarted, 0);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                Interlocked.Increment(ref inputs);
                if (thrown != null && !target.Expected(thrown))
                    Add(failures, new FuzzFailure(Signature(thrown), $"{thrown.GetType().Name}: {OneLine(thrown.Message)}", input, n));
                else if (allocated > AllocationCap(target, input.Length))
                    Add(failures, new FuzzFailure("allocation", $"{allocated / (1 << 20)} MB for {input.Length} bytes", input, n));
            }
        }, 1 << 20) { IsBackground = true, Name = $"fuzz {target.Name}" };
        worker.Start();
        while (!worker.Join(50))
        {
            long started = Volatile.Read(ref currentStarted);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > PerInputLimit)
            {
                lock (failures) Add(failures, new FuzzFailure("hang", $"still running after {PerInputLimit.TotalSeconds:F0} s", Volatile.Read(ref current)!, Interlocked.Read(ref inputs)));
                break;   // the worker is abandoned: a background thread, it dies with the test process
            }
        }
        lock (failures)
            return new FuzzReport(target.Name, Interlocked.Read(ref inputs), clock.Elapsed, failures.Values.OrderBy(f => f.Signature, StringComparer.Ordinal).ToList());
    }

    private static void Add(Dictionary<string, FuzzFailure> failures, FuzzFailure failure)
    {
        lock (failures)
        {
            // One entry per distinct failure, keeping the smallest input that shows it.
            if (!failures.TryGetValue(failure.Signature, out var known) || failure.Input.Length < known.Input.Length)
                failures[failure.Signature] = failure;
        }
    }

    /// <summary>The exception type and the innermost KeyGuard method it came through: one per bug, not per input.</summary>
    private static string Signature(Exception e)
    {
        var frames = new StackTrace(e).GetFrames();
        var ours = frames.FirstOrDefault(f => f.GetMethod()?.DeclaringType?.FullName?.StartsWith("KeyGuard.", StringComparison.Ordinal) == true
                                              && f.GetMethod()?.DeclaringType?.FullName?.StartsWith("KeyGuard.Tests.", StringComparison.Ordinal) != true);
        var method = ours?.GetMethod();
        string where = method == null ? "?" : $"{method.DeclaringType!.FullName}.{method.Name}";
        return $"{e.GetType().Name} in {where}";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ") is var t && t.Length > 200 ? t[..200] : t;

    /// <summary>For bench/fuzz.sh: a summary line per target and each failing input as a file.</summary>
    private static void Record(FuzzReport report)
    {
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } reportFile)
            lock (typeof(FuzzRunner)) File.AppendAllText(reportFile, report.Describe() + "\n");
        if (Environment.GetEnvironmentVariable(FailuresDirVariable) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            int i = 0;
            foreach (var f in report.Failures) File.WriteAllBytes(Path.Combine(dir, $"{report.Target}-{++i}.bin"), f.Input);
        }
    }
}
