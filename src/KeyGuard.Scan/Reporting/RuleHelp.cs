namespace KeyGuard.Reporting;

/// <summary>
/// What to do about a finding of each built-in rule, for reports that carry rule help (SARIF <c>help</c>/<c>helpUri</c>,
/// GitLab's <c>solution</c>). User rules get the generic text and no link.
/// </summary>
internal static class RuleHelp
{
    /// <param name="Summary">What was found and why it matters, one or two sentences of plain text.</param>
    public sealed record Help(string Summary, string Text, string Markdown, string? Uri);

    private const string AccessKeysDoc = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html";
    private const string RevokeSessionsDoc = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html";

    private const string Suppress =
        "If the value is a test fixture, mark the line with `keyguard:allow` or record it with `keyguard baseline create`.";

    public static Help For(string ruleId) => ruleId switch
    {
        "aws-access-key-id" or "aws-secret-access-key" => Make(
            "An AWS access key was committed. Treat it as exposed, even if the commit is removed: anyone who read the repository can use it.",
            ["Find the owner and last use: `keyguard inspect KEYID` (or `keyguard scan --verify`).",
             "Create a new access key, move the workload to it (or better, to a role with temporary credentials), then deactivate and delete the exposed key: `keyguard plan` writes the steps.",
             "Check CloudTrail for use of the key since it was committed.",
             "Remove the key from the code; rewriting history does not un-expose it."],
            AccessKeysDoc),
        "aws-session-token" => Make(
            "An AWS session token (temporary credentials) was committed. It works until it expires, up to 36 hours.",
            ["Revoke the role's active sessions (IAM console: Revoke active sessions), or wait for expiry if it is short.",
             "Find out how the token was written to the file and stop it (a shell history, a debug dump, a copied ~/.aws/credentials)."],
            RevokeSessionsDoc),
        "amazon-bedrock-api-key" or "amazon-bedrock-api-key-short-term" => Make(
            "An Amazon Bedrock API key was committed. It lets anyone call Bedrock models billed to the account.",
            ["Revoke the key (long-term keys belong to an IAM user's service-specific credentials; short-term keys expire with their session).",
             "Create a new one for the workload and store it in a secret store, not in the repository."],
            AccessKeysDoc),
        "amazon-mws-auth-token" => Make(
            "An Amazon Marketplace Web Service auth token was committed.",
            ["Revoke the developer's access in Seller Central and authorise again to get a new token.",
             "Store the new token in a secret store, not in the repository."],
            null),
        _ => Make(
            "A value matching a credential rule was committed.",
            ["Rotate the credential with whoever issued it, and remove it from the code."],
            null),
    };

    private static Help Make(string what, string[] steps, string? uri)
    {
        var text = (what + " " + string.Join(" ", steps) + " " + Suppress).Replace("`", "");
        var markdown = what + "\n\n" + string.Concat(steps.Select((s, i) => $"{i + 1}. {s}\n")) + "\n" + Suppress +
                       (uri != null ? $"\n\nSee [{uri}]({uri})." : "");
        return new Help(what, text, markdown, uri);
    }
}
