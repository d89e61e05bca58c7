using KeyGuard.Detection;
using KeyGuard.Findings;
using KeyGuard.Sources;
using KeyGuard.Tests.Support;

namespace KeyGuard.Tests.Engine;

/// <summary>Session tokens pair with their temporary key: the CLI cache triple, instance metadata, tokens named otherwise.</summary>
public sealed class SessionTokenPairingTests
{
    private static readonly ContentScanner Engine = new(new TextScanner(RuleSet.Default()));
    private readonly FakeCredentials _fake = new(seed: 1415);

    private static List<Finding> Scan(string text)
    {
        var found = new List<Finding>();
        Engine.ScanText(text, new Provenance("x"), found);
        return found;
    }

    private static void AssertTriple(List<Finding> found, string id, string secret, string token)
    {
        Assert.Equal(3, found.Count);
        var key = Assert.Single(found, f => f.Role == CredentialRole.KeyId);
        var sec = Assert.Single(found, f => f.Role == CredentialRole.Secret);
        var tok = Assert.Single(found, f => f.Role == CredentialRole.SessionToken);
        Assert.Equal((id, secret, token), (key.Secret, sec.Secret, tok.Secret));
        Assert.Equal((id, id), (sec.KeyId, tok.KeyId));
        Assert.Equal("temporary", tok.KeyKind);
        Assert.Equal([sec.Fingerprint, tok.Fingerprint], key.PairedWith.Order());
        Assert.Equal([key.Fingerprint], tok.PairedWith);
    }

    [Fact]
    public void The_cli_cache_triple_is_found_and_paired()
    {
        string id = _fake.KeyId("ASIA"), secret = _fake.Secret(), token = _fake.SessionToken();
        // As botocore writes ~/.aws/cli/cache/<sha1>.json: one line.
        var cache = $"{{\"Credentials\": {{\"AccessKeyId\": \"{id}\", \"SecretAccessKey\": \"{secret}\", \"SessionToken\": \"{token}\", \"Expiration\": \"2026-12-06T11:00:00+00:00\"}}, \"AssumedRoleUser\": {{\"AssumedRoleId\": \"AROA{_fake.Chars(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}:botocore-session-1\", \"Arn\": \"arn:aws:sts::123456789012:assumed-role/deploy/botocore-session-1\"}}, \"ResponseMetadata\": {{\"HTTPStatusCode\": 200}}}}";
        AssertTriple(Scan(cache), id, secret, token);
    }

    [Fact]
    public void The_instance_metadata_credentials_are_a_triple()
    {
        string id = _fake.KeyId("ASIA"), secret = _fake.Secret(), token = _fake.SessionToken();
        var imds = $"{{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-12-06T10:00:00Z\",\n  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"{id}\",\n  \"SecretAccessKey\" : \"{secret}\",\n  \"Token\" : \"{token}\",\n  \"Expiration\" : \"2026-12-06T16:00:00Z\"\n}}\n";
        AssertTriple(Scan(imds), id, secret, token);
    }

    [Fact]
    public void A_token_next_to_the_secret_of_a_temporary_key_pairs_with_that_key()
    {
        string id = _fake.KeyId("ASIA"), secret = _fake.Secret(), token = _fake.SessionToken();
        var found = Scan($"id: {id}\n#\n#\n#\n#\nsecret: {secret}\n#\n#\n#\n#\nsession: {token}\n");
        var tok = Assert.Single(found, f => f.Role == CredentialRole.SessionToken);
        Assert.Equal(id, tok.KeyId);
    }

    [Fact]
    public void A_named_session_token_links_only_to_a_temporary_key()
    {
        string akia = _fake.KeyId(), token = _fake.SessionToken();
        var found = Scan($"aws_access_key_id = {akia}\naws_session_token = {token}\n");
        var tok = Assert.Single(found, f => f.Role == CredentialRole.SessionToken);
        Assert.Null(tok.KeyId);
        Assert.Empty(tok.PairedWith);
    }
}
