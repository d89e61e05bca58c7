using System.Text.Json;

namespace KeyGuard.Org;

/// <summary>
/// JSON-lines events on stderr for logs that machines read (CI, Kubernetes):
/// {"time","repo","event","blobs","findings","error","message"}, one object per line, written whole.
/// </summary>
internal sealed class OrgEventLog(TextWriter? output)
{
    private readonly Lock _gate = new();

    public void Write(string repo, string @event, long? blobs = null, long? findings = null, string? error = null, string? message = null)
    {
        if (output == null) return;
        var line = JsonSerializer.Serialize(new OrgEvent(OrgState.Now(), repo, @event, blobs, findings, error, message), OrgJsonContext.Default.OrgEvent);
        lock (_gate) output.WriteLine(line);
    }
}
