using System.Text.Json;

namespace KeyGuard.Suppression;

/// <summary>
/// One accepted finding: keyed on the fingerprint (hash of rule and secret), never on line numbers. Fields people
/// add by hand (reason, note, …) are kept in <see cref="Extra"/> and written back.
/// </summary>
internal sealed record BaselineEntry(string Fingerprint, string Rule, string? KeyId, string Path)
{
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();
}
