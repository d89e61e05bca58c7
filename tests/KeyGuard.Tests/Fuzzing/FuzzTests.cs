namespace KeyGuard.Tests.Fuzzing;

/// <summary>
/// Every untrusted-input parser under a short seeded fuzz run (a few hundred inputs each, the same every run): each
/// input parses or fails with the parser's documented exception, in bounded time and memory. bench/fuzz.sh runs the
/// same targets for longer (KEYGUARD_FUZZ_SECONDS).
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private readonly Support.TempDir _scratch = new();

    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Parser_survives_mutated_input(string target)
    {
        var report = FuzzRunner.RunConfigured(FuzzTargets.Create(target, _scratch.Path));
        Assert.True(report.Failures.Count == 0, report.Describe());
        Assert.True(report.Inputs > 0, report.Summary);
    }

    /// <summary>KEYGUARD_FUZZ_REPLAY=target:file runs one saved input (bench/fuzz.sh keeps each failure's) and lets
    /// whatever it throws fail the test with its full stack; without the variable it does nothing.</summary>
    [Fact]
    public void Replay_a_saved_input()
    {
        if (Environment.GetEnvironmentVariable("KEYGUARD_FUZZ_REPLAY") is not { Length: > 0 } spec) return;
        var (name, file) = (spec[..spec.IndexOf(':')], spec[(spec.IndexOf(':') + 1)..]);
        var target = FuzzTargets.Create(name, _scratch.Path);
        target.Seeds();   // file targets write the half that is not fuzzed
        var started = System.Diagnostics.Stopwatch.StartNew();
        try { target.Run(File.ReadAllBytes(file)); }
        catch (Exception e) when (target.Expected(e)) { }
        Assert.True(started.Elapsed < FuzzRunner.PerInputLimit, $"took {started.Elapsed}");
    }

    public void Dispose() => _scratch.Dispose();
}
