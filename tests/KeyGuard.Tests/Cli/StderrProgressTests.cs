using KeyGuard.Cli.Commands;

namespace KeyGuard.Tests.Cli;

/// <summary>
/// Lookups finish in parallel and report from many threads at once. A CI run once saw the second item's callback
/// arrive before the first's and the progress line crash the whole `scan --verify` (a TimeSpan overflow in the
/// throttle). The counter is kept under the progress line's own lock, so the lines come out 1 … total in order.
/// </summary>
public sealed class StderrProgressTests
{
    [Fact]
    public void Steps_from_many_threads_print_the_first_and_last_count_in_order_and_never_throw()
    {
        for (int round = 0; round < 50; round++)
        {
            var log = new StringWriter();
            var progress = new StderrProgress(log, redraw: false);
            const int total = 64;
            Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => progress.Step("looking up keys in IAM", total));

            var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("keyguard: looking up keys in IAM: 1 of 64", lines[0]);
            Assert.Equal("keyguard: looking up keys in IAM: 64 of 64", lines[^1]);
            var counts = lines.Select(l => int.Parse(l.Split(": ")[^1].Split(' ')[0])).ToList();
            Assert.Equal(counts.Order(), counts);
        }
    }

    [Fact]
    public void A_second_kind_of_step_counts_from_one_again()
    {
        var log = new StringWriter();
        var progress = new StderrProgress(log, redraw: false);
        progress.Step("reading users", 2);
        progress.Step("reading users", 2);
        progress.Step("reading policies", 1);
        Assert.Equal(
            ["keyguard: reading users: 1 of 2", "keyguard: reading users: 2 of 2", "keyguard: reading policies: 1 of 1"],
            log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
