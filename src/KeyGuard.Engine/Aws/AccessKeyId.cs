namespace KeyGuard.Aws;

/// <summary>What an AWS key ID's four-letter prefix says it is (IAM User Guide, "unique ID prefixes").</summary>
internal enum KeyKind
{
    Unknown,
    /// <summary>AKIA: an IAM user's or the root user's long-term access key.</summary>
    LongTerm,
    /// <summary>ASIA: a temporary STS key; useless without its session token.</summary>
    Temporary,
    /// <summary>ABIA: an STS service bearer token.</summary>
    BearerToken,
    /// <summary>ACCA: a context-specific credential.</summary>
    ContextSpecific,
}

/// <summary>Offline facts about an access key ID: its kind and, for new-format IDs, its account.</summary>
internal static class AccessKeyId
{
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>Prefixes of IDs that are credentials. The other unique-ID prefixes (AIDA, AROA, ...) name principals.</summary>
    public static readonly string[] CredentialPrefixes = ["AKIA", "ASIA", "ABIA", "ACCA"];

    /// <summary>Prefixes of IAM unique IDs: identifiers, never credentials.</summary>
    public static readonly string[] UniqueIdPrefixes = ["AIDA", "AROA", "AGPA", "AIPA", "ANPA", "ANVA", "APKA", "ASCA"];

    public static KeyKind KindOf(string keyId) => keyId.Length < 4 ? KeyKind.Unknown : keyId[..4] switch
    {
        "AKIA" => KeyKind.LongTerm,
        "ASIA" => KeyKind.Temporary,
        "ABIA" => KeyKind.BearerToken,
        "ACCA" => KeyKind.ContextSpecific,
        _ => KeyKind.Unknown,
    };

    /// <summary>The JSON/text name of a kind: long-term, temporary, bearer-token, context-specific.</summary>
    public static string KindName(KeyKind kind) => kind switch
    {
        KeyKind.LongTerm => "long-term",
        KeyKind.Temporary => "temporary",
        KeyKind.BearerToken => "bearer-token",
        KeyKind.ContextSpecific => "context-specific",
        _ => "unknown",
    };

    /// <summary>True for a 20-character ID with a credential prefix and a base32 body.</summary>
    public static bool IsWellFormed(string id)
    {
        if (id.Length != 20 || KindOf(id) == KeyKind.Unknown) return false;
        for (int i = 4; i < 20; i++) if (Base32.IndexOf(id[i]) < 0) return false;
        return true;
    }

    /// <summary>
    /// Decodes the 12-digit account ID from a new-format key ID (aws-iam.md §5): the body is base32; the first
    /// 48 bits carry a format bit, then the account shifted left by 7. Old-format IDs (AKIAI..., fifth character
    /// A–P) carry no account and return null.
    /// </summary>
    public static string? DecodeAccount(string id)
    {
        if (id.Length < 14) return null;
        ulong bits = 0;
        for (int i = 4; i < 14; i++)
        {
            int v = Base32.IndexOf(id[i]);
            if (v < 0) return null;
            bits = (bits << 5) | (uint)v;
        }
        ulong z = bits >> 2; // 50 bits read; the first 48 are the first six decoded bytes
        if ((z & 0x800000000000UL) == 0) return null;
        return ((z & 0x7FFFFFFFFF80UL) >> 7).ToString("D12");
    }

    /// <summary>
    /// Builds a syntactically valid new-format key ID for <paramref name="account"/> with a random tail.
    /// Used by tests, benchmarks and the IAM emulator: no real key is ever committed.
    /// </summary>
    public static string Generate(string prefix, string account, Random random)
    {
        ulong acct = ulong.Parse(account);
        ulong z = 0x800000000000UL | (acct << 7) | (uint)random.Next(0, 128);
        var chars = new char[20];
        prefix.CopyTo(0, chars, 0, 4);
        // 48 bits of z then 2 random bits fill the first 10 base32 characters (50 bits).
        ulong head = (z << 2) | (uint)random.Next(0, 4);
        for (int i = 13; i >= 4; i--) { chars[i] = Base32[(int)(head & 31)]; head >>= 5; }
        for (int i = 14; i < 20; i++) chars[i] = Base32[random.Next(32)];
        return new string(chars);
    }
}
