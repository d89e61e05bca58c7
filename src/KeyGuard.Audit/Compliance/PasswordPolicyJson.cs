using System.Text.Json;
using KeyGuard.CredentialReport;

namespace KeyGuard.Compliance;

/// <summary>
/// Reads a password policy saved for offline use: the output of `aws iam get-account-password-policy`
/// ({"PasswordPolicy":{…}}), or the policy object alone. {"PasswordPolicy":null} records "no policy is set".
/// </summary>
internal static class PasswordPolicyJson
{
    public static PasswordPolicyLookup Parse(string json, string sourceName)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && TryGet(root, "PasswordPolicy", out var wrapped))
                root = wrapped;
            if (root.ValueKind == JsonValueKind.Null)
                return PasswordPolicyLookup.NoPolicy;
            if (root.ValueKind != JsonValueKind.Object)
                throw Problem(sourceName, "expected a JSON object");
            if (!TryGet(root, "MinimumPasswordLength", out var length) || length.ValueKind != JsonValueKind.Number)
                throw Problem(sourceName, "MinimumPasswordLength is missing or not a number");
            return new PasswordPolicyLookup(new PasswordPolicy(
                WholeNumber(length, "MinimumPasswordLength", sourceName),
                Int(root, "PasswordReusePrevention", sourceName),
                Int(root, "MaxPasswordAge", sourceName),
                Bool(root, "RequireSymbols"),
                Bool(root, "RequireNumbers"),
                Bool(root, "RequireUppercaseCharacters"),
                Bool(root, "RequireLowercaseCharacters"),
                Bool(root, "ExpirePasswords")));
        }
        catch (JsonException e)
        {
            throw Problem(sourceName, $"not valid JSON ({e.Message.Split('.')[0]})");
        }
    }

    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        value = default;
        return false;
    }

    private static int? Int(JsonElement obj, string name, string sourceName) =>
        TryGet(obj, name, out var value) && value.ValueKind == JsonValueKind.Number ? WholeNumber(value, name, sourceName) : null;

    /// <summary>GetInt32 throws FormatException on 1.5 or 1e10; that is the user's file, not a bug.</summary>
    private static int WholeNumber(JsonElement value, string name, string sourceName) =>
        value.TryGetInt32(out var n) ? n : throw Problem(sourceName, $"{name} {value.GetRawText()} is not a whole number");

    private static bool Bool(JsonElement obj, string name) =>
        TryGet(obj, name, out var value) && value.ValueKind == JsonValueKind.True;

    private static InvalidInputException Problem(string sourceName, string problem) =>
        new($"password policy '{sourceName}': {problem}");
}
