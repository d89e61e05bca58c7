using System.Text;
using KeyGuard.Aws;

namespace KeyGuard.CredentialReport;

/// <summary>The report's IAM calls through the Query-API client, with IAM's error codes mapped to the report's states.</summary>
internal sealed class IamCredentialReportApi(IamClient iam) : ICredentialReportApi
{
    public async Task<CredentialReportGenerationState> GenerateAsync(CancellationToken cancellationToken)
    {
        var result = await iam.GenerateCredentialReportAsync(cancellationToken);
        return result.State switch
        {
            CredentialReportState.Complete => CredentialReportGenerationState.Complete,
            CredentialReportState.InProgress => CredentialReportGenerationState.InProgress,
            _ => CredentialReportGenerationState.Started,
        };
    }

    public async Task<CredentialReportContent> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            var report = await iam.GetCredentialReportAsync(cancellationToken);
            return new CredentialReportContent(Encoding.UTF8.GetBytes(report.Csv), report.GeneratedTime);
        }
        catch (IamException e) when (e.Code == "ReportNotPresent") { throw new CredentialReportNotPresentException(e.Message); }
        catch (IamException e) when (e.Code == "ReportExpired") { throw new CredentialReportExpiredException(e.Message); }
        catch (IamException e) when (e.Code == "ReportInProgress") { throw new CredentialReportInProgressException(e.Message); }
    }

    public async Task<PasswordPolicy?> GetPasswordPolicyAsync(CancellationToken cancellationToken)
    {
        var p = await iam.GetAccountPasswordPolicyAsync(cancellationToken);
        return p == null ? null : new PasswordPolicy(p.MinimumPasswordLength ?? 6, p.PasswordReusePrevention, p.MaxPasswordAge,
            p.RequireSymbols, p.RequireNumbers, p.RequireUppercaseCharacters, p.RequireLowercaseCharacters, p.ExpirePasswords);
    }

    public async Task<IReadOnlyDictionary<string, int>> GetAccountSummaryAsync(CancellationToken cancellationToken) =>
        (await iam.GetAccountSummaryAsync(cancellationToken)).ToDictionary(kv => kv.Key, kv => (int)Math.Min(int.MaxValue, kv.Value));

    public async Task<IReadOnlyList<VirtualMfaDevice>> ListVirtualMfaDevicesAsync(CancellationToken cancellationToken) =>
        (await iam.ListAllVirtualMfaDevicesAsync(VirtualMfaAssignment.Any, cancellationToken)).Select(d => new VirtualMfaDevice(d.SerialNumber, d.UserArn)).ToList();
}
