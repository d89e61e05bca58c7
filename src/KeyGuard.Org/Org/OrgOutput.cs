using KeyGuard.Planning;

namespace KeyGuard.Org;

/// <summary>
/// Writes an org run's outputs to one folder: repos/NAME.json and repos/NAME.sarif per repository, summary.md,
/// summary.html, summary.json, step-summary.md (summary.md cut under GitHub's 1 MiB step-summary limit, highest risk
/// first), and plan.json / plan.md when plans were made.
/// </summary>
internal static class OrgOutput
{
    public static void Write(OrgSummary summary, string dir, IReadOnlyList<Detection.Rule> rules)
    {
        try
        {
            var repoDir = Path.Combine(dir, "repos");
            SecureDirectory.Create(dir);
            SecureDirectory.Create(repoDir);
            foreach (var repo in summary.Repos) RepoReports.Write(repo, repoDir, rules);
            SecureFile.WriteAllText(Path.Combine(dir, "summary.md"), SummaryMarkdown.Render(summary));
            SecureFile.WriteAllText(Path.Combine(dir, "step-summary.md"), SummaryMarkdown.Render(summary, StepSummaryBudget.ForGitHub(Environment.GetEnvironmentVariable)));
            SecureFile.WriteAllText(Path.Combine(dir, "summary.html"), SummaryHtml.Render(summary));
            using (var json = SecureFile.Create(Path.Combine(dir, "summary.json"))) SummaryJson.Write(summary, json);
            if (summary.Plans is { } plans)
            {
                using (var pj = SecureFile.Create(Path.Combine(dir, "plan.json"))) PlanJson.Write(plans, pj);
                SecureFile.WriteAllText(Path.Combine(dir, "plan.md"), PlanMarkdown.Render(plans));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"--out: {dir}: {e.Message}");
        }
    }
}
