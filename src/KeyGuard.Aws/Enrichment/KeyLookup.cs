using KeyGuard.Aws;

namespace KeyGuard.Enrichment;

/// <summary>
/// Whether, and with which keys, the opt-in live check may sign (docs/aws.md, "Live check"). Warnings are written
/// before each signed call.
/// </summary>
internal sealed record LiveCheckPolicy(TextWriter Warnings, bool AllowCanary = false, bool AllowOtherAccounts = false);

/// <summary>
/// The one way commands set up key lookups (inspect, scan --verify, plan, org-scan and org-merge --verify): a session
/// from the AWS options, IAM and STS signed by the operator, and the enricher over them, with a live checker only when
/// a <see cref="LiveCheckPolicy"/> is given. Throws <see cref="AwsConfigurationException"/> without credentials. Dispose when done.
/// </summary>
internal sealed class KeyLookup : IDisposable
{
    private readonly StsGateway _sts;

    private KeyLookup(AwsSession session, EnrichmentOptions? enrichment, LiveCheckPolicy? live)
    {
        Session = session;
        _sts = session.CreateSts();
        Iam = session.CreateIamClient();
        var checker = live is null ? null : new LiveKeyChecker(session.CreateStsSignedWith, live.Warnings, live.AllowCanary, live.AllowOtherAccounts);
        Enricher = new KeyEnricher(Iam, _sts, enrichment, checker);
    }

    public static KeyLookup Open(AwsSessionOptions options, EnrichmentOptions? enrichment = null, LiveCheckPolicy? live = null)
    {
        var session = AwsSession.Create(options);
        try { return new KeyLookup(session, enrichment, live); }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public AwsSession Session { get; }
    public IamClient Iam { get; }
    public KeyEnricher Enricher { get; }

    public void Dispose()
    {
        _sts.Dispose();
        Session.Dispose();
    }
}
