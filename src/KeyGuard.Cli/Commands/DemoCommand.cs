using System.CommandLine;
using KeyGuard.Reporting;
using KeyGuard.Scanning;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// <c>keyguard demo</c>: a positive finding in seconds, for a newcomer. AWS's documented example keys are (rightly)
/// never reported, so this writes a freshly generated fake key pair (random, matching no real key) into a new temp
/// folder, scans that folder as <c>keyguard scan</c> would, shows the report, and deletes the folder.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the folder (and print its path) to try other commands on it." };
        var noColor = new Option<bool>("--no-color") { Description = "No colour, even on a terminal." };
        var c = new Command("demo", "Write a generated fake AWS key pair into a temp folder, scan it, show the finding, delete the folder.");
        c.Options.Add(keep);
        c.Options.Add(noColor);
        c.SetAction(p => Run(p.GetValue(keep), p.GetValue(noColor)));
        return c;
    }

    private static int Run(bool keep, bool noColor)
    {
        var dir = Directory.CreateTempSubdirectory("keyguard-demo-").FullName;
        try
        {
            var (keyId, secret) = FakePair(Random.Shared);
            var file = Path.Combine(dir, "settings.py");
            File.WriteAllText(file,
                "# A generated fake key pair: random, belongs to no one (account 123456789012 is AWS's documentation account).\n" +
                "AWS_REGION = \"eu-west-1\"\n" +
                $"aws_access_key_id = \"{keyId}\"\n" +
                $"aws_secret_access_key = \"{secret}\"\n");
            Console.Error.WriteLine($"keyguard demo: wrote a generated fake key pair to {file}; scanning {dir}:");
            Console.Error.WriteLine();

            var settings = new ScanSettings { Progress = false, NoGitSecretsConfig = true };
            var setup = ScanSetup.Create(settings, dir);
            var result = ScanCommand.Run(setup, [dir], "stdin");
            setup.Finish(result);
            using (var stdout = Console.OpenStandardOutput())
            {
                bool color = TerminalColors.For(Console.IsOutputRedirected, noColor);
                new TextReporter().Write(result, stdout, new ReportOptions { Color = color, Rules = setup.Rules.Rules });
            }
            Console.Error.WriteLine(TextReporter.Summary(result));
            Console.Error.WriteLine();
            if (result.Findings.Count == 0)
            {
                Console.Error.WriteLine("keyguard demo: the generated key was not found; this is a bug, please report it");
                return ExitCodes.ScanError;
            }
            Console.Error.WriteLine("A real `keyguard scan` exits 1 on findings like these (0 when clean). Secrets are redacted unless --show-secrets.");
            Console.Error.WriteLine("Next: keyguard scan .   |   keyguard install (git hooks)   |   keyguard scan --history (the whole history)");
            if (keep) Console.Error.WriteLine($"Kept: {dir} (try: keyguard scan {dir} -f json)");
            return ExitCodes.Clean;
        }
        finally
        {
            if (!keep)
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A new-format key ID in AWS's documentation account and a 40-character secret with both cases and a digit.</summary>
    internal static (string KeyId, string Secret) FakePair(Random random)
    {
        const string base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var keyId = Aws.AccessKeyId.Generate("AKIA", "123456789012", random);
        while (true)
        {
            var secret = new string(Enumerable.Range(0, 40).Select(_ => base64[random.Next(base64.Length)]).ToArray());
            if (secret.Any(char.IsAsciiLetterUpper) && secret.Any(char.IsAsciiLetterLower) && secret.Any(char.IsAsciiDigit))
                return (keyId, secret);
        }
    }
}
