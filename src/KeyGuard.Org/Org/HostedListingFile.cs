using System.Globalization;
using System.Text.Json;

namespace KeyGuard.Org;

/// <summary>
/// A saved listing of organisations and groups (org-scan --list-to FILE), read back with --listing FILE: the
/// organisation is listed once and every shard takes its part of the same list, instead of each shard listing it all.
/// JSON, version 1: {"version","listedAt","sources":[{"host","name","api","repositories":[{"fullName","cloneUrl","archived","fork"}]}]}.
/// It holds no token: tokens are read from the environment when it is used.
/// </summary>
internal static class HostedListingFile
{
    public static void Write(string path, IReadOnlyList<HostedSource> sources, DateTimeOffset listedAt)
    {
        SecureFile.WriteAtomically(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteString("listedAt", listedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteStartArray("sources");
            foreach (var s in sources)
            {
                w.WriteStartObject();
                w.WriteString("host", s.Host);
                w.WriteString("name", s.Name);
                w.WriteString("api", s.Api.AbsoluteUri);
                w.WriteStartArray("repositories");
                foreach (var r in s.Repos)
                {
                    w.WriteStartObject();
                    w.WriteString("fullName", r.FullName);
                    w.WriteString("cloneUrl", r.CloneUrl);
                    w.WriteBoolean("archived", r.Archived);
                    w.WriteBoolean("fork", r.Fork);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public static List<HostedSource> Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidInputException($"--listing: {path}: {e.Message}"); }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != 1)
                throw Bad(path, "not a version 1 listing written by org-scan --list-to");
            var sources = new List<HostedSource>();
            foreach (var s in root.GetProperty("sources").EnumerateArray())
            {
                string host = s.GetProperty("host").GetString() ?? "";
                if (host is not (HostedSource.GitHub or HostedSource.GitLab)) throw Bad(path, $"unknown host '{host}'");
                if (!Uri.TryCreate(s.GetProperty("api").GetString(), UriKind.Absolute, out var api)) throw Bad(path, "a source has no API URL");
                var repos = s.GetProperty("repositories").EnumerateArray().Select(r => new HostedRepo(
                    r.GetProperty("fullName").GetString() ?? throw Bad(path, "a repository has no fullName"),
                    r.GetProperty("cloneUrl").GetString() ?? throw Bad(path, "a repository has no cloneUrl"),
                    r.TryGetProperty("archived", out var a) && a.GetBoolean(),
                    r.TryGetProperty("fork", out var f) && f.GetBoolean())).ToList();
                sources.Add(new HostedSource(host, s.GetProperty("name").GetString() ?? "", api, repos));
            }
            return sources;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Bad(path, e.Message);
        }
    }

    private static InvalidInputException Bad(string path, string why) => new($"--listing: {path}: {why}");
}
