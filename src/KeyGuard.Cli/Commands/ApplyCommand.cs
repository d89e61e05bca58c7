using System.CommandLine;
using KeyGuard.Aws;
using KeyGuard.Planning;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// keyguard apply PLAN: carries out the automatable steps (deactivate, create, delete). Shows them and changes
/// nothing without --yes; idempotent; refuses root and other accounts' keys; writes an audit log.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var planFile = new Argument<string>("PLAN") { Description = "A plan written by keyguard plan --format json." };
        var yes = new Option<bool>("--yes") { Description = "Carry the steps out (without it: show them and change nothing)." };
        var force = new Option<bool>("--force-delete") { Description = "Delete keys even if they were used recently." };
        var recent = new Option<int>("--recent-use-days") { Description = "Never delete a key used within this many days unless --force-delete.", DefaultValueFactory = _ => 7 };
        var newKeys = new Option<string?>("--new-keys") { Description = "File (created mode 0600) that receives replacement keys' secrets; without it, create steps are skipped." };
        var audit = new Option<string>("--audit-log") { Description = "JSON-lines audit log (appended).", DefaultValueFactory = _ => "keyguard-audit.jsonl" };
        var only = new Option<string[]>("--only") { Description = "Only these actions: deactivate, create, delete (repeatable)." };
        only.AcceptOnlyFromAmong("deactivate", "create", "delete");
        var command = new Command("apply", "Carry out a plan's automatable steps: deactivate, create, delete.");
        command.Arguments.Add(planFile);
        var deleteAfter = new Option<int>("--delete-after-days")
        {
            HelpName = "N", Description = "Delete a key only N days after apply deactivated it (default 7; the audit log says when); 'apply --only delete' deletes now.",
            DefaultValueFactory = _ => 7,
        };
        foreach (var o in new Option[] { yes, force, recent, deleteAfter, newKeys, audit, only }) command.Options.Add(o);
        var aws = AwsOptions.AddTo(command);

        command.SetAction(async (p, ct) =>
        {
            var plan = PlanJson.Read(p.GetValue(planFile)!);
            if (p.GetValue(yes) && p.GetValue(newKeys) is { } newKeysFile) PlanExecutor.RefuseSharedNewKeysFile(newKeysFile);
            try
            {
                using var session = AwsSession.Create(aws.Read(p));
                var options = new ApplyOptions
                {
                    Yes = p.GetValue(yes), ForceDelete = p.GetValue(force), RecentUseDays = p.GetValue(recent),
                    DeleteAfterDays = p.GetValue(deleteAfter) >= 0 ? p.GetValue(deleteAfter) : throw new InvalidInputException("--delete-after-days must be 0 or more"),
                    NewKeysFile = p.GetValue(newKeys), AuditLog = p.GetValue(audit)!,
                    Only = (p.GetValue(only) ?? []).Select(a => a switch { "deactivate" => StepAction.Deactivate, "create" => StepAction.Create, _ => StepAction.Delete }).ToHashSet(),
                    OperatorKeyId = session.SigningKeyId(),
                };
                var executor = new PlanExecutor(new IamKeyMutations(session.CreateIamClient()), options, Console.Out);
                if (!executor.Actions(plan).Any()) { Console.Out.WriteLine("nothing to apply: the plan has no automatable steps"); return ExitCodes.Clean; }
                var (outcomes, failed) = await executor.RunAsync(plan, ct);
                if (!options.Yes) { Console.Out.WriteLine("dry run: nothing was changed; run again with --yes to carry these out"); return ExitCodes.Clean; }
                if (failed)
                {
                    var done = outcomes.Where(o => o.Result == "done").Select(o => $"{o.Action} {o.KeyId}").ToList();
                    var remaining = executor.Actions(plan).Skip(outcomes.Count).Select(a => $"{PlanJson.ActionName(a.Step.Action)} {a.Plan.KeyId}").ToList();
                    Console.Error.WriteLine($"keyguard: apply stopped: {outcomes[^1].Action} {outcomes[^1].KeyId} failed: {outcomes[^1].Detail}");
                    Console.Error.WriteLine($"keyguard: done: {(done.Count > 0 ? string.Join(", ", done) : "nothing")}; not done: {string.Join(", ", remaining.Prepend($"{outcomes[^1].Action} {outcomes[^1].KeyId}"))}; audit log: {options.AuditLog}");
                    return ExitCodes.AwsError;
                }
                return ExitCodes.Clean;
            }
            catch (Exception e) when (e is IamException or AwsConfigurationException)
            {
                Console.Error.WriteLine($"keyguard: {e.Message}");
                return ExitCodes.AwsError;
            }
        });
        return command;
    }
}
