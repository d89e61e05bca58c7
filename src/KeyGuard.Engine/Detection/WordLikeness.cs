namespace KeyGuard.Detection;

/// <summary>
/// Tells an enum constant such as ASIA+PACIFICNORTHEAST from a key ID body. A random 16-character base32 body has
/// no digit only 3.6% of the time and is then almost never made of English words; a body without digits that is
/// mostly covered by dictionary words is a name, not a key. Measured on the upper-case constants and enum members of
/// botocore and aws-sdk-js and on a million random IDs: bench/word-likeness.sh, bench/RESULTS.md.
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

    /// <summary>Dictionary words cover at least this many of a body's 16 characters in an identifier. Random bodies
    /// without a digit reach it about once in ten million (bench/word-likeness.sh); identifiers three times in four.</summary>
    private const int MinCovered = 12;

    /// <summary>Words shorter than this count only from the identifier vocabulary above: the dictionary's four-letter
    /// words are so many that random letters spell three of them too often.</summary>
    private const int MinDictionaryWord = 5;

    /// <summary>The identifier vocabulary and the English dictionary (an embedded resource), sorted ordinally.</summary>
    private static readonly Lazy<string[]> Dictionary = new(Load);
    private const int MaxWord = 14;

    private static string[] Load()
    {
        var all = new List<string>(60000);
        using (var stream = typeof(WordLikeness).Assembly.GetManifestResourceStream("wordlikeness.words"))
        {
            if (stream != null)
            {
                using var reader = new StreamReader(stream);
                for (var line = reader.ReadLine(); line != null; line = reader.ReadLine())
                    if (line.Length >= MinDictionaryWord && line[0] != '#') all.Add(line);
            }
        }
        // The resource is sorted and distinct (WordLikenessTests): it is merged with the vocabulary, not sorted again.
        var vocabulary = Words.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var merged = new List<string>(all.Count + vocabulary.Length);
        int v = 0;
        foreach (var word in all)
        {
            for (; v < vocabulary.Length && string.CompareOrdinal(vocabulary[v], word) <= 0; v++)
                if (vocabulary[v] != word) merged.Add(vocabulary[v]);
            merged.Add(word);
        }
        merged.AddRange(vocabulary.Skip(v));
        return merged.Where(w => w.Length <= MaxWord).ToArray();
    }

    /// <summary>The words <see cref="IsWordLike"/> looks up: the vocabulary and the dictionary, sorted ordinally.</summary>
    internal static IReadOnlyList<string> SortedWords => Dictionary.Value;

    internal static IReadOnlyList<string> IdentifierWords => Words;

    /// <summary>
    /// True when <paramref name="keyId"/>'s body (from <paramref name="bodyStart"/>) has no digit and dictionary words
    /// cover at least 12 of its characters. Words may begin in the prefix (ASIA + PACIFIC...) and the last one may be
    /// cut off by the ID's end (...NORTHEA): identifiers are cut to fit, random bodies are not made of words.
    /// </summary>
    public static bool IsWordLike(ReadOnlySpan<char> keyId, int bodyStart = 4)
    {
        foreach (var c in keyId[bodyStart..]) if (char.IsAsciiDigit(c)) return false;
        if (keyId.Length - bodyStart < MinCovered) return false;
        var words = Dictionary.Value;
        // Most body characters covered by non-overlapping words: a small dynamic program over positions.
        int n = keyId.Length;
        Span<int> best = stackalloc int[n + 1];
        best.Clear();
        for (int i = n - 1; i >= 0; i--)
        {
            best[i] = best[i + 1];
            for (int len = 4; len <= MaxWord && i + len <= n; len++)
            {
                var word = keyId.Slice(i, len);
                int at = Find(words, word);
                bool whole = at >= 0 && (len >= MinDictionaryWord || IsVocabulary(word));
                bool cut = !whole && i + len == n && len >= MinDictionaryWord && StartsAWord(words, ~at, word);
                if (!whole && !cut) continue;
                int covered = Math.Max(0, i + len - Math.Max(i, bodyStart));
                best[i] = Math.Max(best[i], covered + best[i + len]);
            }
        }
        return best[0] >= MinCovered;
    }

    private static readonly HashSet<string> Vocabulary = new(Words, StringComparer.Ordinal);
    private static bool IsVocabulary(ReadOnlySpan<char> word) => Vocabulary.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);

    /// <summary>Binary search: the index of <paramref name="word"/>, or the complement of where it would go.</summary>
    private static int Find(string[] words, ReadOnlySpan<char> word)
    {
        int lo = 0, hi = words.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = words[mid].AsSpan().SequenceCompareTo(word);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }

    /// <summary>Whether the word sorted at <paramref name="at"/> (where <paramref name="prefix"/> would go) extends it.</summary>
    private static bool StartsAWord(string[] words, int at, ReadOnlySpan<char> prefix) =>
        at >= 0 && at < words.Length && words[at].AsSpan().StartsWith(prefix, StringComparison.Ordinal);
}
