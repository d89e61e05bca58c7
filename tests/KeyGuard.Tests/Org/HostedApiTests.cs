using System.Net;
using KeyGuard.Org;

namespace KeyGuard.Tests.Org;

/// <summary>The rate-limit reading and the clone-credential rule of the code-host listing, case by case.</summary>
public sealed class HostedApiTests
{
    private static HttpResponseMessage Answer(int status, params (string Name, string Value)[] headers)
    {
        var r = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers) r.Headers.TryAddWithoutValidation(name, value);
        return r;
    }

    [Fact]
    public void Rate_limit_answers_say_how_long_to_wait_and_other_refusals_do_not()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), HostedApi.RateLimitWait(Answer(429, ("Retry-After", "7"))));
        Assert.Equal(TimeSpan.FromSeconds(7), HostedApi.RateLimitWait(Answer(403, ("Retry-After", "7"))));   // GitHub's secondary limit
        var date = HostedApi.RateLimitWait(Answer(429, ("Retry-After", DateTimeOffset.UtcNow.AddSeconds(30).ToString("R"))))!.Value;
        Assert.InRange(date.TotalSeconds, 25, 31);
        var github = HostedApi.RateLimitWait(Answer(403, ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds().ToString())))!.Value;
        Assert.InRange(github.TotalSeconds, 590, 612);
        var gitlab = HostedApi.RateLimitWait(Answer(429, ("RateLimit-Remaining", "0"), ("RateLimit-Reset", DateTimeOffset.UtcNow.AddSeconds(90).ToUnixTimeSeconds().ToString())))!.Value;
        Assert.InRange(gitlab.TotalSeconds, 85, 92);
        Assert.Equal(TimeSpan.FromSeconds(60), HostedApi.RateLimitWait(Answer(429)));
        Assert.Null(HostedApi.RateLimitWait(Answer(403)));                                   // forbidden, not limited
        Assert.Null(HostedApi.RateLimitWait(Answer(403, ("X-RateLimit-Remaining", "12"))));
        Assert.Null(HostedApi.RateLimitWait(Answer(401, ("Retry-After", "5"))));
    }

    [Theory]
    [InlineData("https://github.com/acme/api.git", "https://api.github.com/", "https://x-access-token:T0K@github.com/acme/api.git")]
    [InlineData("https://ghe.example.com/acme/api.git", "https://ghe.example.com/api/v3/", "https://x-access-token:T0K@ghe.example.com/acme/api.git")]
    [InlineData("https://elsewhere.example/acme/api.git", "https://api.github.com/", "https://elsewhere.example/acme/api.git")]   // not the token's host
    [InlineData("http://ghe.example.com/acme/api.git", "https://ghe.example.com/api/v3/", "http://ghe.example.com/acme/api.git")]   // in clear: no token
    [InlineData("https://someone@github.com/acme/api.git", "https://api.github.com/", "https://someone@github.com/acme/api.git")] // its own user stays
    [InlineData("git@github.com:acme/api.git", "https://api.github.com/", "git@github.com:acme/api.git")]
    public void The_api_token_is_the_clone_credential_only_on_its_own_host_and_over_https(string clone, string api, string expected)
    {
        Assert.Equal(expected, HostedRepoLists.CloneLocation(clone, new Uri(api), "x-access-token", "T0K"));
        Assert.Equal(clone, HostedRepoLists.CloneLocation(clone, new Uri(api), "x-access-token", null));
    }

    [Theory]
    [InlineData("https://gitlab.example.com", "https://gitlab.example.com/api/v4/")]
    [InlineData("https://gitlab.example.com/api/v4/", "https://gitlab.example.com/api/v4/")]
    [InlineData("https://example.com/gitlab", "https://example.com/gitlab/api/v4/")]
    public void A_gitlab_url_becomes_its_api_base(string given, string expected) =>
        Assert.Equal(expected, HostedApi.ParseBase(given, "--gitlab-url", "/api/v4").AbsoluteUri);
}
