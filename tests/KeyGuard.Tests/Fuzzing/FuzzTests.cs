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

    public void Dispose() => _scratch.Dispose();
}
