using System.Xml.Linq;
using KeyGuard.Aws;

namespace KeyGuard.IamEmulator;

/// <summary>STS GetCallerIdentity and GetAccessKeyInfo.</summary>
internal static class StsActions
{
    public static readonly IReadOnlyDictionary<string, Func<ActionContext, IEnumerable<XElement>>> Handlers =
        new Dictionary<string, Func<ActionContext, IEnumerable<XElement>>>(StringComparer.Ordinal)
        {
            ["GetCallerIdentity"] = c => [
                new XElement("Arn", c.Caller.User.Arn),
                new XElement("UserId", c.Caller.User.UserId),
                new XElement("Account", c.Account.Id)],
            ["GetAccessKeyInfo"] = GetAccessKeyInfo,
        };

    /// <summary>
    /// Known keys (live or deleted) answer with their account; unknown new-format IDs with the decoded account (as AWS
    /// does, it needs no lookup); unknown old-format IDs fail with InvalidParameterValue (an emulator choice).
    /// </summary>
    private static IEnumerable<XElement> GetAccessKeyInfo(ActionContext c)
    {
        string id = c.Required("AccessKeyId");
        string? account = c.State.FindKey(id)?.AccountId
                          ?? c.State.Accounts.FirstOrDefault(a => a.DeletedKeys.ContainsKey(id))?.Id
                          ?? AccessKeyId.DecodeAccount(id)
                          ?? throw new EmulatorError("InvalidParameterValue", 400, $"The access key ID {id} is not valid.");
        return [new XElement("Account", account)];
    }
}
