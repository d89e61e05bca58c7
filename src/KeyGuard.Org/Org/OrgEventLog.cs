using System.Text;
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
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", OrgState.Now());
            w.WriteString("repo", repo);
            w.WriteString("event", @event);
            if (blobs is { } b) w.WriteNumber("blobs", b);
            if (findings is { } f) w.WriteNumber("findings", f);
            if (newFindings is { } n) w.WriteNumber("new", n);
            if (error != null) w.WriteString("error", error);
            if (message != null) w.WriteString("message", message);
            w.WriteEndObject();
        }
        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_gate) output.WriteLine(line);
    }
}
