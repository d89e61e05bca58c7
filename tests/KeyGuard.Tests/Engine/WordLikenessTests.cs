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

    [Fact]
    public void A_body_with_a_digit_or_too_few_words_is_not_word_like()
    {
        Assert.False(WordLikeness.IsWordLike("ASIA" + "PACIFICNORTHEA2T", bodyStart: 4));
        Assert.False(WordLikeness.IsWordLike("AKIA" + "QZXWVKJHGFDSPLMN", bodyStart: 4));
        // One long word is not enough: twelve of sixteen characters must be words.
        Assert.False(WordLikeness.IsWordLike("AKIA" + "QZXWVKJSTREAMING", bodyStart: 4));
    }
}
