using System.Globalization;
using System.Xml.Linq;

namespace KeyGuard.Aws;

/// <summary>Namespace-agnostic readers for Query-protocol result elements (lists are &lt;Name&gt;&lt;member&gt;…).</summary>
internal static class IamXml
{
    public static XElement? Child(this XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name);

    public static string? Text(this XElement e, string name) => e.Child(name)?.Value;

    public static string Required(this XElement e, string name) =>
        e.Text(name) ?? throw new FormatException($"IAM response element <{e.Name.LocalName}> has no <{name}>");

    public static DateTimeOffset? Date(this XElement e, string name) =>
        e.Text(name) is { Length: > 0 } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;

    public static DateTimeOffset RequiredDate(this XElement e, string name) =>
        e.Date(name) ?? throw new FormatException($"IAM response element <{e.Name.LocalName}> has no <{name}>");

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
