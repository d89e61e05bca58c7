namespace KeyGuard.Detection;

/// <summary>
/// Tells an enum constant such as ASIA+PACIFICNORTHEAST from a key ID body. A random 16-character base32 body has
/// no digit only 3.6% of the time and is then almost never made of English words; a body without digits that is
/// mostly covered by dictionary words is a name, not a key.
/// </summary>
internal static class WordLikeness
{
    // Words that show up in upper-case identifiers next to ASIA/AKIA-like prefixes: regions, directions, common
    // enum vocabulary. Four letters or more, so random bodies rarely contain them by chance.
    private static readonly string[] Words =
    [
        "PACIFIC", "NORTH", "SOUTH", "EAST", "WEST", "CENTRAL", "NORTHEAST", "NORTHWEST", "SOUTHEAST", "SOUTHWEST",
        "MIDDLE", "EUROPE", "AFRICA", "AMERICA", "AMERICAS", "OCEANIA", "ASIAN", "REGION", "REGIONS", "ZONE", "ZONES",
        "JAPAN", "TOKYO", "SEOUL", "MUMBAI", "SINGAPORE", "SYDNEY", "JAKARTA", "OSAKA", "HONG", "KONG", "CHINA", "INDIA",
        "KOREA", "TAIWAN", "LONDON", "PARIS", "FRANKFURT", "IRELAND", "STOCKHOLM", "MILAN", "ZURICH", "SPAIN", "CANADA",
        "BRAZIL", "PAULO", "VIRGINIA", "OHIO", "OREGON", "CALIFORNIA", "GOVCLOUD", "BAHRAIN", "ISRAEL", "CAPE", "TOWN",
        "DEFAULT", "STANDARD", "PREMIUM", "ACCOUNT", "ACCESS", "CONFIG", "VALUE", "VALUES", "NAME", "NAMES", "TYPE",
        "TYPES", "LIST", "STATUS", "STATE", "ERROR", "ERRORS", "MESSAGE", "SERVICE", "SERVER", "CLIENT", "TOKEN", "TEST",
        "TESTS", "TESTING", "SAMPLE", "DEMO", "LOCAL", "GLOBAL", "PUBLIC", "PRIVATE", "SECRET", "SECURE", "SECURITY",
        "KEYS", "USER", "USERS", "ROLE", "ROLES", "POLICY", "GROUP", "GROUPS", "TEAM", "MARKET", "MARKETS", "SALES",
        "TIME", "TIMEZONE", "DATE", "DATA", "BASE", "CODE", "CODES", "COUNTRY", "COUNTRIES", "CITY", "CITIES", "LANGUAGE",
        "ENGLISH", "CHINESE", "JAPANESE", "KOREAN", "THAI", "VIET", "NAM", "INDONESIA", "MALAYSIA", "PHILIPPINES",
        "OTHER", "OTHERS", "UNKNOWN", "NONE", "ENABLED", "DISABLED", "ACTIVE", "INACTIVE", "PENDING", "FAILED",
        "SUCCESS", "NORMAL", "SPECIAL", "GENERAL", "INTERNAL", "EXTERNAL", "PARTNER", "PARTNERS", "VENDOR", "RETAIL",
        "HOLDINGS", "LIMITED", "COMPANY", "GLOBAL", "WORLD", "INTERNATIONAL", "CONTINENT", "OCEAN", "ISLANDS", "ISLAND",
        "PRODUCT", "PRODUCTS", "ORDER", "ORDERS", "PAYMENT", "PAYMENTS", "SHIPPING", "WAREHOUSE", "LOGISTICS",
        "CONTENT", "MEDIA", "VIDEO", "AUDIO", "IMAGE", "IMAGES", "STORAGE", "BUCKET", "QUEUE", "TOPIC", "STREAM",
        "EVENT", "EVENTS", "TABLE", "INDEX", "CACHE", "PROXY", "ROUTE", "ROUTER", "GATEWAY", "NETWORK", "SUBNET",
        "CLUSTER", "NODE", "NODES", "POOL", "INSTANCE", "VOLUME", "BACKUP", "RESTORE", "REPLICA", "PRIMARY", "SECONDARY",
        "MONTHLY", "WEEKLY", "DAILY", "YEARLY", "ANNUAL", "QUARTER", "QUARTERLY", "SUMMER", "WINTER", "SPRING", "AUTUMN",
        "HOLIDAY", "FESTIVAL", "CUSTOMER", "SUPPORT", "CENTER", "CENTRE", "OFFICE", "BRANCH", "HEAD", "MAIN",
    ];

    private static readonly HashSet<string> Dictionary = new(Words, StringComparer.Ordinal);
    private static readonly int MaxWord = Words.Max(w => w.Length);

    /// <summary>True when the body has no digit and dictionary words cover at least 60% of it.</summary>
    public static bool IsWordLike(ReadOnlySpan<char> body)
    {
        foreach (var c in body) if (char.IsAsciiDigit(c)) return false;
        // Longest coverage by non-overlapping dictionary words: a small dynamic program over positions.
        Span<int> best = stackalloc int[body.Length + 1];
        best.Clear();
        for (int i = body.Length - 1; i >= 0; i--)
        {
            best[i] = best[i + 1];
            for (int len = 4; len <= MaxWord && i + len <= body.Length; len++)
                if (Dictionary.Contains(new string(body.Slice(i, len))))
                    best[i] = Math.Max(best[i], len + best[i + len]);
        }
        return best[0] * 10 >= body.Length * 6;
    }
}
