using System.Text.Json;

namespace KeyGuard.Org;

/// <summary>
/// JSON-lines events on stderr for logs that machines read (CI, Kubernetes):
/// {"time","repo","event","blobs","findings","new","error","message"}, one object per line, written whole.
/// For done/partial, findings counts the repository's exposed findings (new + open) and new those first seen in this run.
/// </summary>
internal sealed class OrgEventLog(TextWriter? output)
{
    private readonly Lock _gate = new();

    public void Write(string repo, string @event, long? blobs = null, long? findings = null, string? error = null, string? message = null,
        long? newFindings = null)
    {
        if (output == null) return;
        var line = JsonSerializer.Serialize(new OrgEvent(OrgState.Now(), repo, @event, blobs, findings, newFindings, error, message), OrgJsonContext.Default.OrgEvent);
        lock (_gate) output.WriteLine(line);
    }
}
