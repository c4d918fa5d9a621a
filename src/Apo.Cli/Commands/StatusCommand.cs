using System.CommandLine;
using Apo.Abstractions.Runs;
using Apo.Cli.Runs;

namespace Apo.Cli.Commands;

/// <summary>
/// `apo status --cluster <client.json> (--run-id id | --out dir)`: where a run on a cluster is, without attaching
/// to it. A run needs no client (its grains drive it, a reminder wakes it), so this is how a detached run is
/// watched; `apo run --cluster` with the same arguments attaches again.
/// </summary>
static class StatusCommand
{
    public static Command Create()
    {
        var cluster = new Option<FileInfo>("--cluster") { Description = "Client configuration of the cluster (e.g. silo-config/cluster-client.json).", Required = true };
        var runId = new Option<string?>("--run-id") { Description = "The run's id on the cluster." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "The run directory given to apo run --cluster (its id is derived from it, as apo run does)." };
        var watch = new Option<bool>("--watch") { Description = "Print a line whenever the status changes, until the run completes, fails or is cancelled." };
        var command = new Command("status", "Show a cluster run's phase and progress (the run goes on whether or not anyone watches).")
        {
            cluster, runId, output, watch,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var config = parse.GetValue(cluster)!;
            if (!config.Exists) throw new FileNotFoundException($"{config.FullName}: cluster client configuration not found", config.FullName);
            var given = parse.GetValue(runId);
            var directory = parse.GetValue(output);
            if ((given is null) == (directory is null)) throw new UsageException("give exactly one of --run-id and --out");
            string id = ClusterRunId.Resolve(given, directory?.FullName ?? "");
            await using var session = await ClusterSession.ConnectAsync(config.FullName, torchThreads: 1);
            var run = session.Grains.GetGrain<IRunGrain>(id);
            string last = "";
            while (true)
            {
                var status = await run.GetStatus();
                if (status.Phase == RunPhase.NotStarted)
                    throw new UsageException($"--run-id: run \"{id}\" was never started on the cluster of {config.FullName} (check the id, and the ServiceId and ClusterId)");
                string line = Describe(status);
                if (line != last) Console.WriteLine(line);
                last = line;
                if (!parse.GetValue(watch) || status.Phase is RunPhase.Completed or RunPhase.Failed or RunPhase.Cancelled)
                    return status.Phase == RunPhase.Failed ? 1 : 0;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            }
        });
        return command;
    }

    static string Describe(RunStatus s) =>
        $"run {s.RunId}: {s.Phase}; stage 1 {s.StageOneDone}/{s.StageOneTotal} prompts; stage 2 {s.TrainerIteration} iterations" +
          (s.Error is null ? "" : $"; error: {s.Error}");
}
