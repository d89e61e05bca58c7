using KeyGuard.Detection;
using KeyGuard.Tests.Support;
using Xunit.Abstractions;

namespace KeyGuard.Tests.Engine;

/// <summary>
/// Key-ID-shaped identifiers made of dictionary words are not key IDs; random key IDs never look like words.
/// The harvest of real identifiers and the million random IDs run in bench/word-likeness.sh.
/// </summary>
public sealed class WordLikenessTests(ITestOutputHelper output)
{
    // Built from parts so that no committed line looks like a key ID: upper-case constants and enum members as
    // SDKs and configs have them, a key prefix glued to dictionary words.
    public static TheoryData<string, string> Identifiers() => new()
    {
        { "ASIA", "PACIFICNORTHEAST" },
        { "ACCA", "OUNTSTATUSACTIVE" },
        { "AKIA", "PRODUCTIONDEPLOY" },
        { "ASIA", "NMARKETSEXPANSION" },
        { "ABIA", "LITYSCORERANKING" },
        { "ACCA", "PAYMENTSCHEDULED" },
        { "AKIA", "MONITORINGSTREAM" },
        { "ASIA", "SOUTHEASTWAREHOUSE" },
    };

    [Theory, MemberData(nameof(Identifiers))]
    public void Identifiers_made_of_dictionary_words_are_rejected(string prefix, string rest)
    {
        var id = (prefix + rest)[..20];
        Assert.True(WordLikeness.IsWordLike(id, bodyStart: 4), id);
    }

    [Fact]
    public void Random_key_ids_are_never_rejected()
    {
        // 100,000 here; bench/word-likeness.sh sets KEYGUARD_RANDOM_IDS=1000000 for the million.
        int count = int.TryParse(Environment.GetEnvironmentVariable("KEYGUARD_RANDOM_IDS"), out var n) ? n : 100_000;
        var fake = new FakeCredentials(seed: 20261206);
        string[] prefixes = ["AKIA", "ASIA", "ABIA", "ACCA"];
        int withoutDigit = 0;
        var rejected = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var id = fake.KeyId(prefixes[i % 4], fake.Account());
            if (!id.AsSpan(4).ContainsAnyInRange('0', '9')) withoutDigit++;
            if (WordLikeness.IsWordLike(id, bodyStart: 4)) rejected.Add(id);
        }
        output.WriteLine($"random key IDs: {count}, bodies without a digit: {withoutDigit}, rejected as word-like: {rejected.Count}");
        Assert.True(withoutDigit > count / 50, "the sample must hold bodies without digits, the ones the validator reads");
        Assert.Empty(rejected);
    }

    /// <summary>The dictionary is merged with the vocabulary, not sorted at start-up: it must stay sorted and
    /// distinct, and the binary search needs the merge to be.</summary>
    [Fact]
    public void The_dictionary_is_sorted_and_the_merged_words_are_sorted_distinct_and_complete()
    {
        var file = File.ReadLines(Path.Combine(RepoRoot(), "src/KeyGuard.Engine/Detection/WordLikeness.words")).Where(l => !l.StartsWith('#')).ToList();
        Assert.True(file.Count > 50_000);
        for (int i = 1; i < file.Count; i++) Assert.True(string.CompareOrdinal(file[i - 1], file[i]) < 0, $"{file[i - 1]} before {file[i]}");
        var words = WordLikeness.SortedWords;
        for (int i = 1; i < words.Count; i++) Assert.True(string.CompareOrdinal(words[i - 1], words[i]) < 0, $"{words[i - 1]} before {words[i]}");
        Assert.Superset(file.ToHashSet(), words.ToHashSet());
        Assert.Subset(words.ToHashSet(), WordLikeness.IdentifierWords.ToHashSet());
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "KeyGuard.sln"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }

    [Fact]
    public void A_body_with_a_digit_or_too_few_words_is_not_word_like()
    {
        Assert.False(WordLikeness.IsWordLike("ASIA" + "PACIFICNORTHEA2T", bodyStart: 4));
        Assert.False(WordLikeness.IsWordLike("AKIA" + "QZXWVKJHGFDSPLMN", bodyStart: 4));
        // One long word is not enough: twelve of sixteen characters must be words.
        Assert.False(WordLikeness.IsWordLike("AKIA" + "QZXWVKJSTREAMING", bodyStart: 4));
    }
}
