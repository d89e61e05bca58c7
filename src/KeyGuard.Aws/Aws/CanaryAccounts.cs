namespace KeyGuard.Aws;

/// <summary>
/// AWS accounts that host canary tokens: a call signed with one of their keys alerts whoever planted it.
/// Source: trufflesecurity/trufflehog, pkg/detectors/aws/access_keys/canary.go (commit 13b29d33bbcedbcc74198fffd0491d2515cafd7f),
/// lists thinkstCanaryList (canarytokens.org, 10 accounts) and thinkstKnockoffsCanaryList ("off brand" canaries, 16 accounts).
/// </summary>
internal static class CanaryAccounts
{
    public static readonly IReadOnlySet<string> Thinkst = new HashSet<string>(StringComparer.Ordinal)
    {
        "052310077262", "171436882533", "534261010715", "595918472158", "717712589309",
        "819147034852", "992382622183", "730335385048", "266735846894", "893192397702",
    };

    public static readonly IReadOnlySet<string> ThinkstKnockoffs = new HashSet<string>(StringComparer.Ordinal)
    {
        "044858866125", "251535659677", "344043088457", "351906852752", "390477818340", "426127672474",
        "427150556519", "439872796651", "445142720921", "465867158099", "637958123769", "693412236332",
        "732624840810", "735421457923", "959235150393", "982842642351",
    };

    public static bool IsCanary(string? account) =>
        account is not null && (Thinkst.Contains(account) || ThinkstKnockoffs.Contains(account));

    /// <summary>"thinkst", "thinkst-knockoff" or null.</summary>
    public static string? SourceOf(string? account) =>
        account is null ? null : Thinkst.Contains(account) ? "thinkst" : ThinkstKnockoffs.Contains(account) ? "thinkst-knockoff" : null;
}
