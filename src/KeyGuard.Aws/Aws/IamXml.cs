using System.Globalization;
using System.Xml.Linq;

namespace KeyGuard.Aws;

/// <summary>Namespace-agnostic readers for Query-protocol result elements (lists are &lt;Name&gt;&lt;member&gt;…).</summary>
internal static class IamXml
{
    public static XElement? Child(this XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name);

    public static string? Text(this XElement e, string name) => e.Child(name)?.Value;

    public static XElement RequiredChild(this XElement e, string name) => e.Child(name) ?? throw Missing(e, name);

    public static string Required(this XElement e, string name) => e.Text(name) ?? throw Missing(e, name);

    public static DateTimeOffset? Date(this XElement e, string name)
    {
        if (e.Text(name) is not { Length: > 0 } s) return null;
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d : throw Malformed(e, $"<{name}> is not a timestamp: '{s}'");
    }

    public static DateTimeOffset RequiredDate(this XElement e, string name) => e.Date(name) ?? throw Missing(e, name);

    private static IamException Missing(XElement e, string name) => Malformed(e, $"<{e.Name.LocalName}> has no <{name}>");

    /// <summary>
    /// A response that does not have the documented shape. The action is read back from the document root
    /// ({Action}Response), so the error names the call like any other IamException.
    /// </summary>
    public static IamException Malformed(XElement e, string detail)
    {
        string root = e.AncestorsAndSelf().Last().Name.LocalName;
        string action = root.EndsWith("Response", StringComparison.Ordinal) ? root[..^"Response".Length]
            : root.EndsWith("Result", StringComparison.Ordinal) ? root[..^"Result".Length] : root;
        return new IamException("iam:" + action, "MalformedResponse", 200, detail);
    }

    public static bool Bool(this XElement e, string name) => string.Equals(e.Text(name), "true", StringComparison.OrdinalIgnoreCase);

    public static int? Int(this XElement e, string name) =>
        int.TryParse(e.Text(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    public static IEnumerable<XElement> Members(this XElement e, string listName) =>
        e.Child(listName)?.Elements().Where(m => m.Name.LocalName == "member") ?? [];

    /// <summary>"N/A" is how IAM says "no data" in last-used fields.</summary>
    public static string? NotApplicableToNull(string? s) => s is null or "" or "N/A" ? null : s;

    public static IamPage<T> Page<T>(XElement result, string listName, Func<XElement, T> read) =>
        new(result.Members(listName).Select(read).ToList(), result.Bool("IsTruncated"), result.Text("Marker"));
}
