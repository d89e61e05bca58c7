using System.Globalization;
using System.Xml.Linq;

namespace KeyGuard.IamEmulator;

/// <summary>One authenticated request as the action handlers see it. Handlers run under the state lock.</summary>
internal sealed class ActionContext(EmulatorState state, EmulatedKey caller, IReadOnlyDictionary<string, string> parameters, int pageSize)
{
    public EmulatorState State { get; } = state;
    public EmulatedKey Caller { get; } = caller;
    public EmulatedAccount Account => Caller.User.Account;
    public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;
    public DateTimeOffset Now => State.Now();

    public string? Optional(string name) => Parameters.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public string Required(string name) =>
        Optional(name) ?? throw new EmulatorError("ValidationError", 400, $"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");

    /// <summary>The named user, or the caller's own user when UserName is omitted (IAM's documented default).</summary>
    public EmulatedUser UserOrCaller() =>
        Optional("UserName") is { } name
            ? Account.FindUser(name) ?? throw new EmulatorError("NoSuchEntity", 404, $"The user with name {name} cannot be found.")
            : Caller.User;

    /// <summary>Cuts one page out of <paramref name="all"/> using Marker/MaxItems and the emulator's page size.</summary>
    public IEnumerable<XElement> Page<T>(IReadOnlyList<T> all, string listName, Func<T, XElement> render)
    {
        int start = 0;
        if (Optional("Marker") is { } marker && !int.TryParse(marker.Replace("page-", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out start))
            throw new EmulatorError("InvalidInput", 400, "Invalid Marker.");
        int size = pageSize;
        if (Optional("MaxItems") is { } max) size = Math.Min(size, int.Parse(max, CultureInfo.InvariantCulture));
        var page = all.Skip(start).Take(size).ToList();
        bool truncated = start + page.Count < all.Count;
        yield return new XElement(listName, page.Select(item => new XElement("member", render(item).Elements())));
        yield return new XElement("IsTruncated", truncated ? "true" : "false");
        if (truncated) yield return new XElement("Marker", $"page-{start + page.Count}");
    }

    public static string Date(DateTimeOffset d) => d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
