using System.Globalization;
using KeyGuard.CredentialReport;

namespace KeyGuard.Planning;

/// <summary>Access-key slots of a credential report file, for stale-key and root-key plans.</summary>
internal static class CredentialReportKeys
{
    public static List<ReportKey> Load(string file)
    {
        byte[] content;
        try { content = File.ReadAllBytes(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"--report: {file}: {e.Message}"); }
        IamCredentialReport report;
        try { report = CredentialReportParser.Parse(content, new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero)); }
        catch (CredentialReportFormatException e) { throw new InvalidInputException($"--report: {file}: {e.Message}"); }
        return From(report);
    }

    public static List<ReportKey> From(IamCredentialReport report) =>
        report.Rows.SelectMany(row => row.AccessKeys.Select(k => new ReportKey(row.User, row.Arn, k.Slot, k.Active,
            k.LastRotated.Value, k.LastUsedDate.Value, k.LastUsedRegion, k.LastUsedService, row.IsRoot))).ToList();
}


/// <summary>
/// Names the key behind each active credential-report slot: the report gives slots (access key 1 and 2 of a user) and
/// their last-rotated time, which is the key's CreateDate in iam:ListAccessKeys. A slot whose key cannot be told apart
/// (the user is gone, or no key has that creation time) keeps no ID and its plan says how to find it.
/// </summary>
internal static class ReportSlotMatcher
{
    public static async Task<List<ReportKey>> MatchAsync(IReadOnlyList<ReportKey> slots, Func<string, CancellationToken, Task<IReadOnlyList<KeyGuard.Aws.AccessKeyMetadata>>> listKeys,
        CancellationToken ct)
    {
        var matched = new List<ReportKey>(slots.Count);
        foreach (var user in slots.GroupBy(s => s.User, StringComparer.Ordinal))
        {
            IReadOnlyList<KeyGuard.Aws.AccessKeyMetadata> keys = [];
            if (user.Any(s => s.Active && !s.IsRoot))
            {
                try { keys = await listKeys(user.Key, ct); }
                catch (KeyGuard.Aws.IamException e) when (e.IsNoSuchEntity) { }
            }
            foreach (var slot in user)
            {
                var candidates = slot.LastRotated is { } rotated
                    ? keys.Where(k => Math.Abs((k.CreateDate - rotated).TotalSeconds) < 1).ToList()
                    : [];
                matched.Add(candidates.Count == 1 ? slot with { KeyId = candidates[0].AccessKeyId } : slot);
            }
        }
        return matched;
    }
}
