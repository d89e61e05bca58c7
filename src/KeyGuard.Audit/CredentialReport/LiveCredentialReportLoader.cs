using KeyGuard.Compliance;

namespace KeyGuard.CredentialReport;

/// <summary>Reads the report and the account inputs from IAM through <see cref="ICredentialReportApi"/>.</summary>
internal sealed class LiveCredentialReportLoader(ICredentialReportApi api, CredentialReportFetcher fetcher)
{
    public LiveCredentialReportLoader(ICredentialReportApi api) : this(api, new CredentialReportFetcher(api))
    {
    }

    public async Task<(IamCredentialReport Report, AccountInputs Inputs)> LoadAsync(CancellationToken cancellationToken = default)
    {
        var content = await fetcher.FetchAsync(cancellationToken);
        var report = CredentialReportParser.Parse(content.Content, content.GeneratedAt);
        var policy = new PasswordPolicyLookup(await api.GetPasswordPolicyAsync(cancellationToken));
        var rootMfa = RootMfaEvidence.From(
            await api.GetAccountSummaryAsync(cancellationToken),
            await api.ListVirtualMfaDevicesAsync(cancellationToken));
        return (report, new AccountInputs(policy, rootMfa));
    }
}
