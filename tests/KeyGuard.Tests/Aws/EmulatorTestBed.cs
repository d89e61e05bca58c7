using Amazon.Runtime;
using KeyGuard.Aws;
using KeyGuard.Enrichment;
using KeyGuard.IamEmulator;

namespace KeyGuard.Tests.Aws;

/// <summary>
/// A fresh in-process emulator on 127.0.0.1 seeded with <see cref="DemoSeed"/>, plus a session signed with the
/// operator's emulator key. Retries wait for nothing (recorded in <see cref="Delays"/>) so fault tests stay fast.
/// </summary>
internal sealed class EmulatorTestBed : IAsyncDisposable
{
    static EmulatorTestBed()
    {
        // Never let the SDK's credential chain reach for instance metadata (169.254.169.254).
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
    }

    public EmulatorTestBed(int maxAttempts = 4, TimeSpan? requestTimeout = null)
    {
        State = new EmulatorState(seed: 42);
        Keys = DemoSeed.Apply(State);
        Server = IamEmulatorServer.Start(State);
        Retry = new AwsRetryPolicy
        {
            MaxAttempts = maxAttempts,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
            Delay = (delay, _) => { lock (Delays) Delays.Add(delay); return Task.CompletedTask; },
        };
        Session = CreateSession(Keys.Operator.AccessKeyId, Keys.Operator.SecretAccessKey);
    }

    public EmulatorState State { get; }
    public DemoKeys Keys { get; }
    public IamEmulatorServer Server { get; }
    public AwsRetryPolicy Retry { get; }
    public List<TimeSpan> Delays { get; } = [];
    public AwsSession Session { get; }
    public EmulatedAccount OurAccount => State.Account(DemoSeed.OperatorAccount);

    public AwsSession CreateSession(string keyId, string secret, string? token = null) => AwsSession.Create(new AwsSessionOptions
    {
        Credentials = token is null ? new BasicAWSCredentials(keyId, secret) : new SessionAWSCredentials(keyId, secret, token),
        EndpointUrl = Server.Url,
        Retry = Retry,
    });

    public IamClient Iam() => Session.CreateIamClient();

    /// <summary>Environment for a CLI child process: only the emulator's operator key, nothing from the machine.</summary>
    public Dictionary<string, string> OperatorEnvironment(string? secret = null) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = Keys.Operator.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = secret ?? Keys.Operator.SecretAccessKey,
        ["AWS_CONFIG_FILE"] = "/nonexistent/keyguard-test-config",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/keyguard-test-credentials",
    };

    public KeyEnricher Enricher(LiveKeyChecker? live = null, StsGateway? sts = null) =>
        new(Iam(), sts ?? Session.CreateSts(), new EnrichmentOptions(), live);

    /// <summary>Requests signed by <paramref name="keyId"/>, as the emulator logged them.</summary>
    public IReadOnlyList<LoggedOperation> CallsSignedBy(string keyId) =>
        Server.Log.Entries.Where(e => e.CallerKeyId == keyId).ToList();

    public async ValueTask DisposeAsync()
    {
        Session.Dispose();
        await Server.DisposeAsync();
    }
}
