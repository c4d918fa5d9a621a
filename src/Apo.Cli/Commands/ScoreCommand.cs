using System.CommandLine;
using System.Text.Json.Nodes;
using Apo.Common.IO;
using Apo.Tasks.Verifiers;

namespace Apo.Cli.Commands;

/// <summary>`apo score`: runs a task's verifier over {"response", "ground_truth"} lines.</summary>
static class ScoreCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Verifier: gsm8k, gsm8k-flexible or math.", Required = true };
        var input = new Option<FileInfo>("--in") { Description = "JSONL file of {\"response\": ..., \"ground_truth\": ...} lines.", Required = true };
        var command = new Command("score", "Score responses with a task's verifier; prints one JSON line per input line.") { task, input };
        command.SetAction(parse =>
        {
            GuardedVerifier verifier;
            try { verifier = VerifierFactory.ForTask(parse.GetValue(task)!); }
            catch (InvalidDataException e) { throw new UsageException($"--task: {e.Message}"); }  // name the option the user typed
            // Parse everything first: a malformed line fails the command before any output is printed.
            var items = JsonLines.ReadAll(parse.GetValue(input)!.FullName)
                .Select(line => (Response: line.RequiredString("response"), GroundTruth: line.RequiredString("ground_truth")))
                .ToList();
            foreach (var (response, groundTruth) in items)
            {
                var result = verifier.Verify(response, groundTruth);
                var output = new JsonObject { ["score"] = result.IsCorrect ? 1 : 0, ["extracted"] = result.Extracted };
                if (result.Failure is not null) output["reason"] = result.Failure;
                Console.Out.WriteLine(output.ToJsonString(CliJson.Options));
            }
            var stats = verifier.Stats.Snapshot();
            if (stats.Failed > 0) Console.Error.WriteLine($"apo score: {stats.Failed} of {stats.Scored} responses could not be verified (see \"reason\").");
            return 0;
        });
        return command;
    }
}
