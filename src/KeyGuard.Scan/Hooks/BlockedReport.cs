using KeyGuard.Findings;
using KeyGuard.Reporting;
using KeyGuard.Scanning;

namespace KeyGuard.Hooks;

/// <summary>Which git step a hook guards: it decides the wording and the way out.</summary>
internal enum HookKind { PreCommit, CommitMsg, Merge, PrePush, PreReceive }

/// <summary>
/// What a developer sees when a hook stops them: where each secret is (redacted), which rule, and every way to
/// proceed, from fixing it to the --no-verify escape hatch. Written to stderr; a clean run prints nothing. Names from
/// the repository are escaped (<see cref="ControlCharacters"/>), so a file name cannot forge or hide a listed line.
/// </summary>
internal static class BlockedReport
{
    public static void Write(TextWriter w, ScanResult result, HookKind kind, bool showSecrets, bool color, IEnumerable<string> warnings)
    {
        string C(string code, string s) => color ? $"\x1b[{code}m{s}\x1b[0m" : s;
        foreach (var warning in warnings) w.WriteLine($"keyguard: warning: {ControlCharacters.Escape(warning)}");
        foreach (var e in result.Errors) w.WriteLine($"keyguard: {ControlCharacters.Escape(e.Path)}: {ControlCharacters.Escape(e.Message)}");
        if (result.Errors.Count > 0 && result.Findings.Count == 0)
        {
            w.WriteLine($"keyguard: {Verb(kind)} blocked: could not check everything (see above); fix it or bypass once with {Bypass(kind)}");
            return;
        }
        if (result.Findings.Count == 0) return;
        int n = result.Findings.Count;
        w.WriteLine(C("1;31", $"keyguard: {Verb(kind)} blocked: {n} secret{(n == 1 ? "" : "s")} {Where(kind)}"));
        foreach (var f in result.Findings) w.WriteLine("  " + Line(f, showSecrets, C));
        w.WriteLine();
        w.WriteLine("To proceed, either:");
        foreach (var step in Steps(kind)) w.WriteLine("  - " + step);
    }

    private static string Line(Finding f, bool showSecrets, Func<string, string, string> C)
    {
        var where = f.Source.Commit is { } sha ? $"{sha[..Math.Min(12, sha.Length)]} {f.Path}:{f.Line}" : $"{f.Path}:{f.Line}";
        var parts = new List<string> { C("1", ControlCharacters.Escape(where)), f.RuleId, f.Display(showSecrets) };
        if (f.KeyId != null && f.Role != CredentialRole.KeyId) parts.Add("key " + f.KeyId);
        if (f.Account != null) parts.Add("account " + f.Account);
        return string.Join("  ", parts.Select((part, i) => i == 0 ? part : ControlCharacters.Escape(part)));
    }

    private static string Verb(HookKind kind) => kind is HookKind.PrePush or HookKind.PreReceive ? "push" : kind == HookKind.Merge ? "merge" : "commit";

    private static string Where(HookKind kind) => kind switch
    {
        HookKind.PreCommit => "on lines this commit adds",
        HookKind.CommitMsg => "in the commit message",
        HookKind.Merge => "in what this merge brings in",
        HookKind.PreReceive => "in the commits and tags being pushed (checked by the server)",
        _ => "in the commits being pushed",
    };

    private static string Bypass(HookKind kind) => kind == HookKind.PreReceive ? "ask the server's administrators (a server-side check has no client bypass)"
        : kind == HookKind.PrePush ? "git push --no-verify" : kind == HookKind.Merge
        ? "KEYGUARD_SKIP=1 git merge ... (git runs prepare-commit-msg even with --no-verify)" : "git commit --no-verify";

    private static IEnumerable<string> Steps(HookKind kind)
    {
        yield return kind switch
        {
            HookKind.PreCommit => "remove the secret and stage the fix (git add), and rotate the key if it is real;",
            HookKind.CommitMsg => "remove the secret from the commit message, and rotate the key if it is real;",
            HookKind.Merge => "abort (git merge --abort) and remove the secret on the other branch, or remove it in the merge result and stage it; rotate the key if it is real;",
            _ => "rewrite the listed commits to remove the secret (git commit --amend or git rebase -i), and rotate the key if it is real;",
        };
        yield return "if it is not a secret, add the comment keyguard:allow on that line;";
        yield return "to accept findings already in the repository, record a baseline: keyguard baseline create -o .keyguard-baseline.json, then set \"baseline\": \".keyguard-baseline.json\" in .keyguard.json;";
        yield return $"to bypass the check once (not recommended): {Bypass(kind)}";
    }
}
