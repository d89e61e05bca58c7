using KeyGuard;

/// <summary>Scans a text and a folder with KeyGuard's library API and prints each finding, redacted.</summary>
public static class LibraryExample
{
    /// <returns>0 clean, 1 findings, 3 something could not be read: the exit codes of <c>keyguard scan</c>.</returns>
    public static int Run(string text, string folder, TextWriter output)
    {
        // Bytes or text in, findings out: the built-in detectors, nothing read from disk.
        var scanner = SecretScanner.CreateDefault();
        foreach (var finding in scanner.Scan(text, "pasted.txt"))
            output.WriteLine($"{finding.Path}:{finding.Line}:{finding.Column} {finding.RuleId} {finding.Role} {finding.Redacted}");

        // A folder, as `keyguard scan FOLDER` reads it: .gitignore, .keyguard.json, allowlists, baseline, inline markers.
        var result = FolderScanner.Scan(folder);
        foreach (var error in result.Errors)
            output.WriteLine($"cannot read {error.Path}: {error.Message}");
        foreach (var finding in result.Findings)
            output.WriteLine($"{finding.Path}:{finding.Line}:{finding.Column} {finding.RuleId} {finding.KeyId} {finding.Redacted}");
        return result.Errors.Count > 0 ? 3 : result.Findings.Count > 0 ? 1 : 0;
    }
}
