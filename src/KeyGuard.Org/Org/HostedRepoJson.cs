using System.Text.Json.Serialization;

namespace KeyGuard.Org;

/// <summary>The fields KeyGuard reads from GitHub's "list organization repositories" answer (one page: an array).</summary>
internal sealed class GitHubRepoWire
{
    [JsonPropertyName("full_name")] public string? FullName { get; set; }
    [JsonPropertyName("clone_url")] public string? CloneUrl { get; set; }
    [JsonPropertyName("archived")] public bool Archived { get; set; }
    [JsonPropertyName("fork")] public bool Fork { get; set; }
}

/// <summary>The fields KeyGuard reads from GitLab's "list a group's projects" answer (one page: an array).</summary>
internal sealed class GitLabProjectWire
{
    [JsonPropertyName("path_with_namespace")] public string? PathWithNamespace { get; set; }
    [JsonPropertyName("http_url_to_repo")] public string? HttpUrlToRepo { get; set; }
    [JsonPropertyName("archived")] public bool Archived { get; set; }
    // Present (an object) only on forks.
    [JsonPropertyName("forked_from_project")] public GitLabForkOrigin? ForkedFromProject { get; set; }
}

internal sealed class GitLabForkOrigin
{
    [JsonPropertyName("path_with_namespace")] public string? PathWithNamespace { get; set; }
}

/// <summary>An error answer: GitHub says "message", GitLab "message" or "error".</summary>
internal sealed class HostedErrorWire
{
    [JsonPropertyName("message")] public System.Text.Json.JsonElement Message { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}

// Source-generated (no reflection): the release binary is NativeAOT, where reflection-based JSON is not trim-safe.
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(List<GitHubRepoWire>))]
[JsonSerializable(typeof(List<GitLabProjectWire>))]
[JsonSerializable(typeof(HostedErrorWire))]
internal sealed partial class HostedRepoJsonContext : JsonSerializerContext;
