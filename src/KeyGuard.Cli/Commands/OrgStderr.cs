using KeyGuard.Org;
using KeyGuard.Reporting;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// Where org-scan and org-merge tell the user things: plain lines on a terminal; anywhere else (or with --no-progress)
/// a JSON-lines event stream on stderr, and then nothing but events, so that jq can read every line.
/// </summary>
internal sealed class OrgStderr
{
    public OrgStderr(bool terminal)
    {
        Terminal = terminal;
        Log = new OrgEventLog(terminal ? null : Console.Error);
    }

    public bool Terminal { get; }
    public OrgEventLog Log { get; }

    /// <summary>Something went wrong: an event with "error".</summary>
    public void Error(string repo, string @event, string message)
    {
        if (Terminal) Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(message)}");
        else Log.Write(repo, @event, error: message);
    }

    /// <summary>Worth knowing: an event with "message".</summary>
    public void Tell(string repo, string @event, string message)
    {
        if (Terminal) Console.Error.WriteLine($"keyguard: {ControlCharacters.Escape(message)}");
        else Log.Write(repo, @event, message: message);
    }
}
