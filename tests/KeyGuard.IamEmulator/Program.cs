using KeyGuard.IamEmulator;

// Standalone demo: dotnet run --project tests/KeyGuard.IamEmulator -- --port 4566 --seed demo
int port = 4566;
string seed = "demo";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length: port = int.Parse(args[++i]); break;
        case "--seed" when i + 1 < args.Length: seed = args[++i]; break;
        default:
            Console.Error.WriteLine("usage: KeyGuard.IamEmulator [--port N] [--seed demo]");
            return 2;
    }
}
if (seed != "demo")
{
    Console.Error.WriteLine($"unknown seed '{seed}' (only 'demo' exists)");
    return 2;
}

var state = new EmulatorState();
var keys = DemoSeed.Apply(state);
await using var server = IamEmulatorServer.Start(state, port);

// These are emulator-only fake credentials, generated at start-up; they are valid nowhere else.
Console.WriteLine($"IAM+STS emulator listening on {server.Url}");
Console.WriteLine();
Console.WriteLine("Operator credentials (account " + DemoSeed.OperatorAccount + "):");
Console.WriteLine($"  export AWS_ACCESS_KEY_ID={keys.Operator.AccessKeyId}");
Console.WriteLine($"  export AWS_SECRET_ACCESS_KEY={keys.Operator.SecretAccessKey}");
Console.WriteLine("  export AWS_EC2_METADATA_DISABLED=true");
Console.WriteLine();
Console.WriteLine("Found keys to inspect:");
Console.WriteLine($"  {keys.ActiveRecentlyUsed.AccessKeyId}  alice, active, used 3 days ago (critical)");
Console.WriteLine($"  {keys.ActiveIdle.AccessKeyId}  deploy-bot, active, idle 120 days, quarantined (high)");
Console.WriteLine($"  {keys.Inactive.AccessKeyId}  old-intern, inactive (medium)");
Console.WriteLine($"  {keys.Deleted.AccessKeyId}  old-intern, deleted (low)");
Console.WriteLine($"  {keys.OtherAccount.AccessKeyId}  account {DemoSeed.OtherAccount} (low)");
Console.WriteLine();
Console.WriteLine($"  keyguard inspect --endpoint-url {server.Url} {keys.ActiveRecentlyUsed.AccessKeyId} {keys.ActiveIdle.AccessKeyId} {keys.Inactive.AccessKeyId} {keys.Deleted.AccessKeyId} {keys.OtherAccount.AccessKeyId}");
Console.WriteLine();
// A found key with its secret, so that --verify-live can be tried too (it needs the secret a scan would find).
// alice's key: already used lately, so the last use the live check leaves does not change the demo's severities.
Console.WriteLine("A leaked pair, to try the live check (signed WITH the found key; the emulator records it as the key's last use, as AWS would):");
Console.WriteLine($"  export KEYGUARD_FOUND_SECRET_ACCESS_KEY={keys.ActiveRecentlyUsed.SecretAccessKey}");
Console.WriteLine($"  keyguard inspect --verify-live --endpoint-url {server.Url} {keys.ActiveRecentlyUsed.AccessKeyId}");
Console.WriteLine("Or as a scan finds it (another account's pair is listed but not signed with, unless --allow-other-accounts):");
Console.WriteLine($"  printf 'aws_access_key_id = {keys.ActiveRecentlyUsed.AccessKeyId}\\naws_secret_access_key = {keys.ActiveRecentlyUsed.SecretAccessKey}\\n" +
                  $"aws_access_key_id = {keys.OtherAccount.AccessKeyId}\\naws_secret_access_key = {keys.OtherAccount.SecretAccessKey}\\n' > leaked.env");
Console.WriteLine($"  keyguard scan --verify-live --endpoint-url {server.Url} leaked.env");
Console.WriteLine();
Console.WriteLine("Press Ctrl+C to stop.");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;
