using KeyGuard.Findings;
using KeyGuard.Planning;
using Xunit;

namespace KeyGuard.Tests.Remediation;

/// <summary>A plain file's leak date is a walk of the git history from HEAD: asked once per file, whatever the number
/// of keys and secrets found in it (it was asked once per finding).</summary>
public sealed class LeakDateLookupTests
{
    [Fact]
    public void Each_file_is_dated_once_for_all_its_findings()
    {
        var asked = new List<string>();
        var sightings = new List<LeakSighting>();
        for (int k = 0; k < 4; k++)
        {
            var key = $"key-{k}";
            sightings.Add(new LeakSighting(key, CredentialRole.KeyId, "aws-access-key-id", "deploy/creds.env", 1 + k, null, null, null, null, null));
            sightings.Add(new LeakSighting(key, CredentialRole.Secret, "aws-secret-access-key", "deploy/creds.env", 10 + k, null, null, null, null, null));
            sightings.Add(new LeakSighting(key, CredentialRole.KeyId, "aws-access-key-id", "app/other.env", 1, null, null, null, null, null));
        }
        var first = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var leaks = LeakedKeys.From(sightings, path => { asked.Add(path); return path == "app/other.env" ? first : first.AddDays(1); });

        Assert.Equal(["deploy/creds.env", "app/other.env"], asked);
        Assert.Equal(4, leaks.Count);
        Assert.All(leaks, l => Assert.Equal(first, l.FirstSeen));
    }
}
