// Measures parse + judge of a synthetic 10,000-user credential report: median of N runs after warm-up.
// Wall time and this process's CPU time are both reported: on a shared, loaded machine CPU time is the steadier figure.
// Usage: dotnet run -c Release --project bench/report [-- USERS RUNS [SAVE_CSV_PATH]]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using KeyGuard.Compliance;
using KeyGuard.CredentialReport;
using KeyGuard.Reporting.Iam;

var users = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
var now = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
var csv = SyntheticReport.Generate(users, now);
if (args.Length > 2) File.WriteAllBytes(args[2], csv);   // for timing the CLI end to end
var inputs = new AccountInputs(new PasswordPolicyLookup(new PasswordPolicy(14, 24)));
var options = new CisOptions();
var self = Process.GetCurrentProcess();

IamComplianceReport Once() =>
    IamReportBuilder.Build(CredentialReportParser.Parse(csv, now.AddHours(-1)), inputs, options, now);

(double Wall, double Cpu) Measure(Action action)
{
    self.Refresh();
    var cpu = self.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    action();
    var wall = sw.Elapsed.TotalMilliseconds;
    self.Refresh();
    return (wall, (self.TotalProcessorTime - cpu).TotalMilliseconds);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

for (var i = 0; i < 3; i++) Once();   // warm-up: JIT and tiered compilation

IamComplianceReport last = Once();
var parseJudge = new List<(double Wall, double Cpu)>();
var parseOnly = new List<(double Wall, double Cpu)>();
var render = Enum.GetValues<IamReportFormat>().ToDictionary(f => f, _ => new List<(double Wall, double Cpu)>());
for (var i = 0; i < runs; i++)
{
    GC.Collect();
    parseJudge.Add(Measure(() => last = Once()));
    parseOnly.Add(Measure(() => CredentialReportParser.Parse(csv, now)));
    foreach (var format in render.Keys)
        render[format].Add(Measure(() => IamReportWriters.Render(last, format)));
}

string Line(List<(double Wall, double Cpu)> times) =>
    $"wall median {Median(times.Select(t => t.Wall)),7:F1} ms (min {times.Min(t => t.Wall):F1}), cpu median {Median(times.Select(t => t.Cpu)),7:F1} ms";

Console.WriteLine($"users={users:N0} csvBytes={csv.Length:N0} results={last.Results.Count:N0} runs={runs} cores={Environment.ProcessorCount}");
Console.WriteLine($"parse+judge+summary  {Line(parseJudge)}");
Console.WriteLine($"parse only           {Line(parseOnly)}");
foreach (var (format, times) in render)
    Console.WriteLine($"render {format,-13} {Line(times)}");

/// <summary>A mix of the user shapes real accounts have: console users, service users with one or two keys, stale users.</summary>
internal static class SyntheticReport
{
    public static byte[] Generate(int users, DateTimeOffset now)
    {
        var random = new Random(42);   // fixed seed: the same report every run
        string Date(int daysAgo) => now.AddDays(-daysAgo).AddSeconds(-random.Next(86_400)).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n");
        text.Append($"<root_account>,arn:aws:iam::111122223333:root,{Date(2000)},not_supported,{Date(40)},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n");
        for (var i = 0; i < users; i++)
        {
            var console = random.Next(3) == 0;
            var password = console
                ? $"true,{(random.Next(5) == 0 ? "no_information" : Date(random.Next(200)))},{Date(random.Next(400))},N/A,{(random.Next(4) == 0 ? "false" : "true")}"
                : "false,N/A,N/A,N/A,false";
            string Key()
            {
                if (random.Next(3) == 0) return "false,N/A,N/A,N/A,N/A";
                var used = random.Next(4) == 0 ? "N/A,N/A,N/A" : $"{Date(random.Next(300))},us-east-1,s3";
                return $"true,{Date(random.Next(1500))},{used}";
            }
            text.Append($"user-{i:D5},arn:aws:iam::111122223333:user/team-{i % 50}/user-{i:D5},{Date(1500 + random.Next(500))},{password},{Key()},{Key()},false,N/A,false,N/A\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
