namespace KeyGuard.IamEmulator;

/// <summary>
/// The credential-report lifecycle (aws-iam.md §1/§3): nothing → Generate gives STARTED → Get answers
/// ReportInProgress/404 for <see cref="PollsUntilReady"/> polls → COMPLETE with the CSV. A complete report younger
/// than four hours is reused by Generate; an older or expired one is regenerated.
/// </summary>
internal sealed class CredentialReportMachine
{
    public static readonly TimeSpan ReuseWindow = TimeSpan.FromHours(4);

    private bool _generating;
    private int _pollsLeft;
    private bool _expired;

    /// <summary>How many Get/Generate polls answer "in progress" before the report is ready.</summary>
    public int PollsUntilReady { get; set; } = 1;
    public string? Csv { get; private set; }
    public DateTimeOffset? GeneratedTime { get; private set; }
    public int Generations { get; private set; }

    /// <summary>GenerateCredentialReport: returns (State, Description).</summary>
    public (string State, string Description) Generate(DateTimeOffset now, Func<string> buildCsv)
    {
        if (_generating)
            return Poll(now, buildCsv) ? ("COMPLETE", "Report is ready.") : ("INPROGRESS", "Report generation is in progress.");
        bool fresh = Csv != null && !_expired && now - GeneratedTime < ReuseWindow;
        if (fresh) return ("COMPLETE", "Report is ready.");
        _generating = true;
        _pollsLeft = PollsUntilReady;
        if (_pollsLeft <= 0) Poll(now, buildCsv);
        return ("STARTED", "No report exists. Starting a new report generation task");
    }

    /// <summary>GetCredentialReport: the CSV, or an <see cref="EmulatorError"/> for the not-ready states.</summary>
    public (string Csv, DateTimeOffset GeneratedTime) Get(DateTimeOffset now, Func<string> buildCsv)
    {
        if (_generating && !Poll(now, buildCsv))
            throw new EmulatorError("ReportInProgress", 404, "Report generation is in progress.");
        if (Csv is null)
            throw new EmulatorError("ReportNotPresent", 410, "Credential report not present. Use GenerateCredentialReport to generate a report.");
        if (_expired || now - GeneratedTime >= ReuseWindow)
            throw new EmulatorError("ReportExpired", 410, "The credential report is expired. Use GenerateCredentialReport to generate a new report.");
        return (Csv, GeneratedTime!.Value);
    }

    internal void Expire() => _expired = true;

    /// <summary>One poll of a running generation; true once the report is done.</summary>
    private bool Poll(DateTimeOffset now, Func<string> buildCsv)
    {
        if (_pollsLeft > 0) { _pollsLeft--; return false; }
        _generating = false;
        _expired = false;
        Csv = buildCsv();
        GeneratedTime = now;
        Generations++;
        return true;
    }
}
