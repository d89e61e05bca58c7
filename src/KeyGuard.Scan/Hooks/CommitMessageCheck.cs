using KeyGuard.Scanning;
using KeyGuard.Sources;

namespace KeyGuard.Hooks;

/// <summary>commit-msg: the message the user wrote. Comment lines and everything under git's scissors line (the
/// diff <c>git commit -v</c> appends) are not part of the commit, so they are blanked, keeping line numbers.</summary>
internal static class CommitMessageCheck
{
    public static ScanResult Run(HookContext ctx, string messageFile)
    {
        string text;
        try { text = File.ReadAllText(messageFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"{messageFile}: {e.Message}"); }
        var configured = ctx.Git is { } git ? git.Config("core.commentChar") : ctx.Repo.Config.Get<string>("core.commentChar")?.Value;
        var commentChar = configured is { Length: 1 } c ? c[0] : '#';
        var result = new ScanResult();
        ctx.ScanMessage(WithoutComments(text, commentChar), new Provenance(CommitMessages.Path, SourceKind.CommitMessage), result);
        result.Stats.FilesScanned = 1;
        ctx.Finish(result);
        return result;
    }

    public static string WithoutComments(string message, char commentChar = '#')
    {
        var lines = message.Split('\n');
        bool scissors = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd('\r') == $"{commentChar} ------------------------ >8 ------------------------") scissors = true;
            if (scissors || lines[i].StartsWith(commentChar)) lines[i] = "";
        }
        return string.Join('\n', lines);
    }
}
