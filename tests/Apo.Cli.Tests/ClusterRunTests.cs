using Xunit.Abstractions;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Apo.Hosting.Tests;

namespace Apo.Cli.Tests;

/// <summary>
/// `apo run --cluster` against a real cluster of `apo silo` processes (one trainer, two generators) on
/// Azurite, all on 127.0.0.1. No generator count is configured anywhere: the pool is read from membership.
/// Slow: minutes.
/// </summary>
[Trait("Category", "Slow")]
[Collection(AzureCollection.Name)]
public class ClusterRunTests(AzuriteFixture azurite, ITestOutputHelper log)
{
    /// <summary>
    /// The embedded reference run: the tiny preset with one stage-2 iteration. Stage 1 depends only on the
    /// reference, the stage-1 settings, the seed and the run id, so its V̂* must match the cluster run's, which
    /// runs the whole tiny preset (100 iterations) so that it can show learning.
    /// </summary>
    const string TinyStageOneOnly = """
        {
          "stageTwo": { "iterations": 1, "checkpointEvery": 1 },
          "evaluation": { "heldOutPrompts": 8 }
        }
        """;

    /// <summary>
    /// What the trained policy must gain in avg@4 over the reference (absolute). The tiny preset gains
    /// +10.0 points embedded (docs/BENCHMARKS.md, 2026-12-01, lr 1e-4); a cluster run samples the same tokens, so
    /// 6 points leaves room for float rounding without letting a run that did not learn pass.
    /// </summary>
    const double LearningMargin = 0.06;

    const int TinyStageOnePrompts = 512, TinyIterations = 100;

    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task A_cluster_run_survives_a_killed_generator_matches_the_embedded_run_and_learns()
    {
        using var dir = new TempDirectory();
        string config = dir.Write("stage-one-only.json", TinyStageOneOnly);
        string embedded = dir.File("embedded"), clustered = dir.File("run"), weightCache = dir.File("weight-cache");
        // Silos and client talk mutual TLS with a CA of this test's own (the cluster configs turn TLS on).
        var authority = Apo.Hosting.Security.DevelopmentCertificates.CreateAuthority("apo test CA", TimeSpan.FromHours(2));
        Apo.Hosting.Security.DevelopmentCertificates.Write(dir.File("tls"), authority,
            Apo.Hosting.Security.DevelopmentCertificates.Issue(authority, "apo-silo", TimeSpan.FromHours(2)));

        // The reference: the same settings in one process. Sampling seeds derive from the run seed and
        // the prompt key "<run id>/<example id>", so the cluster run below uses the embedded run's id.
        var straight = ApoProcess.Run(RunTimeout, "run", "--preset", "tiny", "--config", config, "--out", embedded);
        Assert.True(straight.ExitCode == 0, straight.StdErr);

        string id = "t" + Guid.NewGuid().ToString("N")[..12];
        var environment = new Dictionary<string, string>
        {
            ["APO_STORAGE_CONNECTION"] = azurite.ConnectionString,
            // A fresh service and cluster per test: grain state on Azure is keyed by ServiceId.
            ["APO_Silo__ServiceId"] = id, ["APO_Silo__ClusterId"] = id,
            ["APO_Client__ServiceId"] = id, ["APO_Client__ClusterId"] = id,
            ["APO_Silo__AdvertisedIP"] = "127.0.0.1",
            ["APO_Silo__TorchThreads"] = "1",
            // Weight versions travel through Azure Blob (silo-config's default for clusters), in this test's own
            // container; the three silo processes share one download cache, as silos on one machine may.
            ["APO_Silo__Weights__Container"] = id,
            ["APO_Silo__Weights__CacheDirectory"] = weightCache,
            // Runs must be inside the silos' runs root: this test's folder.
            ["APO_Silo__RunsRoot"] = dir.Path,
            ["APO_Silo__Tls__Directory"] = dir.File("tls"), ["APO_Client__Tls__Directory"] = dir.File("tls"),
        };
        string siloConfig(string name) => Path.Combine(AppContext.BaseDirectory, "silo-config", name);
        var healthPorts = new Dictionary<ChildProcess, int>();
        ChildProcess Silo(string name, string file)
        {
            int health = FreePort();
            var silo = new ChildProcess(name, new Dictionary<string, string>(environment) { ["APO_Silo__Health__Port"] = health.ToString() },
                "silo", "--config", siloConfig(file), "--silo-port", FreePort().ToString(), "--gateway-port", FreePort().ToString());
            healthPorts[silo] = health;
            return silo;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        async Task<HttpStatusCode> Health(ChildProcess silo, string path) =>
            (await http.GetAsync($"http://127.0.0.1:{healthPorts[silo]}{path}")).StatusCode;

        using var trainer = Silo("trainer silo", "cluster-trainer.json");
        using var generatorA = Silo("generator silo A", "cluster-generator.json");
        using var generatorB = Silo("generator silo B", "cluster-generator.json");
        await Task.WhenAll(new[] { trainer, generatorA, generatorB }.Select(s => s.WaitForLine(l => l.StartsWith("apo silo: role"), TimeSpan.FromMinutes(2))));
        // Each silo serves its probes: live, and ready once Active in the membership.
        foreach (var silo in new[] { trainer, generatorA, generatorB })
        {
            Assert.Equal(HttpStatusCode.OK, await Health(silo, "/health/live"));
            Assert.Equal(HttpStatusCode.OK, await Health(silo, "/health/ready"));
        }

        // The supervised reference is the same for both runs (same preset, same seed): reuse the embedded run's
        // instead of training it again (a minute of SFT on the client, which is not cluster work).
        TempDirectory.CopyTree(Path.Combine(embedded, "reference"), Path.Combine(clustered, "reference"));
        using var client = new ChildProcess("apo run --cluster", environment,
            "run", "--cluster", siloConfig("cluster-client.json"), "--run-id", PipelineRunId,
            "--preset", "tiny", "--out", clustered);

        // Once a work unit is done, SIGKILL a generator silo that has been running units; the rest of
        // stage 1 must still be done (its units retried on the other generator, its grains re-created there).
        string progress = await client.WaitForLine(l => StageOneDone(l) > 0, RunTimeout);
        var victim = await FirstToWork(generatorA, generatorB);
        var survivor = victim == generatorA ? generatorB : generatorA;
        victim.Kill();
        // A replacement joins, as Kubernetes would start one; the pool picks it up from membership.
        using var generatorC = Silo("generator silo C", "cluster-generator.json");

        // During stage 2 (the client's plain progress lines come every 5 %), SIGTERM the survivor, as a rolling update or a node drain would: it leaves the cluster
        // gracefully (exit code 0, well within the shutdown timeout) and the run goes on with the replacement.
        string duringStageTwo = await client.WaitForLine(l => StageTwoDone(l) >= 5, RunTimeout);
        log.WriteLine($"SIGTERM at \"{duringStageTwo}\"");
        var drain = System.Diagnostics.Stopwatch.StartNew();
        survivor.Terminate();
        Assert.Equal(0, await survivor.WaitForExit(TimeSpan.FromMinutes(2)));
        log.WriteLine($"SIGTERMed generator left in {drain.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("apo silo: stopped", survivor.Output);

        int exit = await client.WaitForExit(RunTimeout);
        Assert.True(exit == 0, client.Output);
        // Each silo exports its OpenTelemetry meters for Prometheus on its health port (the cluster configs turn it on):
        // the trainer counted the rollouts it trained on, the replacement generator the stage-1 prompts it recorded.
        Assert.Matches(@"(?m)^apo_stage2_rollouts_total(\{[^}]*\})? [1-9]", await http.GetStringAsync($"http://127.0.0.1:{healthPorts[trainer]}/metrics"));
        Assert.Matches(@"(?m)^apo_stage1_prompts_total(\{[^}]*\})? [1-9]", await http.GetStringAsync($"http://127.0.0.1:{healthPorts[generatorC]}/metrics"));
        foreach (var silo in new[] { trainer, generatorA, generatorB, generatorC })
            foreach (var line in silo.Output.Split('\n').Where(l => l.Contains("failed on generator") || l.Contains("resuming") || l.Contains("stage-1 work unit")))
                log.WriteLine($"{silo.Name}: {line[..Math.Min(line.Length, 240)]}");

        // The kill came during stage 1: a unit was in flight on the victim, the pool saw its call fail and gave
        // the unit to another generator, which recorded it.
        var retried = Regex.Matches(trainer.Output, @"stage-1 work unit ""([^""]+)"" failed on generator (\S+)")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(retried.Count > 0, $"no stage-1 unit failed on the killed silo (killed at \"{progress}\"):\n{trainer.Output}");
        // Retried on a live generator: the survivor, or the replacement that joined meanwhile.
        Assert.Contains(retried, unit => survivor.Output.Contains($"stage-1 work unit \"{unit}\"") || generatorC.Output.Contains($"stage-1 work unit \"{unit}\""));

        // Placement never changes a result: every prompt's stage-1 samples and rewards (hence its V̂*) are the
        // embedded run's, and so is the first stage-2 update.
        Assert.Equal(File.ReadAllLines(Path.Combine(embedded, "stage1.jsonl")), File.ReadAllLines(Path.Combine(clustered, "stage1.jsonl")));
        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(embedded, "summary.json")))!["stage1"]!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(clustered, "summary.json")))!["stage1"]!;
        Assert.Equal(TinyStageOnePrompts, (int)b["prompts"]!);
        Assert.Equal(TinyStageOnePrompts, (int)b["prompts_with_vstar"]!);
        Assert.Equal((double)a["mean_vstar"]!, (double)b["mean_vstar"]!);
        Assert.Equal(WithoutTimes(File.ReadLines(Path.Combine(embedded, "metrics.jsonl")).First()),
            WithoutTimes(File.ReadLines(Path.Combine(clustered, "metrics.jsonl")).First()));

        foreach (string file in new[] { "summary.md", "policy/config.json", "policy/model.safetensors", "eval-trained.json", "plots/reward.png" })
            Assert.True(File.Exists(Path.Combine(clustered, file)), file);
        Assert.Equal(TinyIterations, File.ReadAllLines(Path.Combine(clustered, "metrics.jsonl")).Length);

        // The run learns: the trained policy beats the reference on held-out avg@4, as the embedded tiny run does.
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(clustered, "summary.json")))!;
        double referenceAvg = (double)summary["reference"]!["avg_at_k"]!, trainedAvg = (double)summary["trained"]!["avg_at_k"]!;
        log.WriteLine($"cluster run avg@4: reference {referenceAvg:P1} → trained {trainedAvg:P1}");
        Assert.True(trainedAvg >= referenceAvg + LearningMargin,
            $"trained avg@4 {trainedAvg:P1} is not {LearningMargin:P0} points above the reference's {referenceAvg:P1}");
        // The run is the cluster's, not the client's: `apo status` reads it back, and an unknown id is bad input.
        var status = ApoProcess.Run(TimeSpan.FromMinutes(2), environment, "status", "--cluster", siloConfig("cluster-client.json"), "--run-id", PipelineRunId);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Equal($"run {PipelineRunId}: Completed; stage 1 {TinyStageOnePrompts}/{TinyStageOnePrompts} prompts; stage 2 {TinyIterations} iterations", status.StdOut.Trim());
        var unknown = ApoProcess.Run(TimeSpan.FromMinutes(2), environment, "status", "--cluster", siloConfig("cluster-client.json"), "--run-id", "never-started");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("apo: error: --run-id: run \"never-started\" was never started on the cluster of", unknown.StdErr.Trim());

        // An asynchronous run on the same cluster (the trainer and the replacement generator): batch t is sampled on the
        // generator silo with version max(0, t − 1) while the trainer silo updates, and the checkpoint keeps the batch
        // sampled ahead of it.
        string asyncRun = dir.File("async");
        TempDirectory.CopyTree(Path.Combine(embedded, "reference"), Path.Combine(asyncRun, "reference"));
        string asyncConfig = dir.Write("async.json", AsyncSmall);
        var asynchronous = ApoProcess.Run(RunTimeout, environment, "run", "--cluster", siloConfig("cluster-client.json"), "--run-id", "async-k1",
            "--preset", "tiny", "--config", asyncConfig, "--max-staleness", "1", "--out", asyncRun);
        Assert.True(asynchronous.ExitCode == 0, asynchronous.StdErr);
        var asyncLines = File.ReadAllLines(Path.Combine(asyncRun, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([0L, 1L, 1L, 1L, 1L, 1L], asyncLines.Select(l => (long)l["staleness"]!).ToArray());
        Assert.All(asyncLines, l => Assert.True(double.IsFinite((double)l["loss"]!) && (double)l["weight_wait_seconds"]! >= 0));
        var aheadOfFour = JsonNode.Parse(File.ReadAllText(Path.Combine(asyncRun, "checkpoints", "step-4", "rollouts.json")))!.AsArray();
        Assert.All(aheadOfFour[0]!["Rollouts"]!.AsArray(), r => Assert.Equal(3L, (long)r!["WeightVersion"]!));
        Assert.True(File.Exists(Path.Combine(asyncRun, "policy", "model.safetensors")));

        // Weight versions travelled between silos as blobs, with no shared weight directory: the last two remain.
        var blobs = new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, id)
            .GetBlobs(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, PipelineRunId + "/", default)
            .Select(b => b.Name).Order().ToArray();
        Assert.Equal([$"{PipelineRunId}/v{TinyIterations}.safetensors", $"{PipelineRunId}/v{TinyIterations - 1}.safetensors"], blobs);
    }

    const string PipelineRunId = "embedded";

    /// <summary>The asynchronous run: 48 prompts, 6 iterations of 16, checkpoints every 2 (the tiny preset's reference).</summary>
    const string AsyncSmall = """
        {
          "stageOne": { "prompts": 48 },
          "stageTwo": { "promptsPerBatch": 16, "iterations": 6, "checkpointEvery": 2 },
          "evaluation": { "heldOutPrompts": 8 }
        }
        """;

    /// <summary>A metrics line without the fields that measure time.</summary>
    static string WithoutTimes(string line)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        foreach (var key in node.Select(p => p.Key).Where(k => k.Contains("second") || k.Contains("per_s") || k.Contains("time") || k.StartsWith("heldout")).ToList()) node.Remove(key);
        return node.ToJsonString();
    }

    /// <summary>The k of a client progress line "stage 1: k/N prompts …", else −1.</summary>
    static int StageOneDone(string line)
    {
        var m = Regex.Match(line, @"^stage 1: (\d+)/\d+ prompts");
        return m.Success ? int.Parse(m.Groups[1].Value) : -1;
    }

    /// <summary>The k of a client progress line "stage 2: k/N iterations …", else −1.</summary>
    static int StageTwoDone(string line)
    {
        var m = Regex.Match(line, @"^stage 2: (\d+)/\d+ iterations");
        return m.Success ? int.Parse(m.Groups[1].Value) : -1;
    }

    /// <summary>The generator silo that has logged a stage-1 work unit (both may have: then the first).</summary>
    static async Task<ChildProcess> FirstToWork(ChildProcess a, ChildProcess b)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            if (a.Output.Contains("stage-1 work unit")) return a;
            if (b.Output.Contains("stage-1 work unit")) return b;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no generator silo logged a work unit:\n{a.Output}\n{b.Output}");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
