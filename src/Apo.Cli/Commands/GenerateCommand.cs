using System.CommandLine;
using System.Text.Json.Nodes;
using Apo.Model.Inference;

namespace Apo.Cli.Commands;

/// <summary>`apo generate`: sample responses to one prompt.</summary>
static class GenerateCommand
{
    public static Command Create()
    {
        var modelOptions = new ModelOptions();
        var prompt = new Option<string>("--prompt") { Description = "Prompt text.", Required = true };
        var n = new Option<int>("--n") { Description = "Responses to sample.", DefaultValueFactory = _ => 4 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (0 = greedy).", DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass.", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0 = all).", DefaultValueFactory = _ => 0 };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Longest response.", DefaultValueFactory = _ => 64 };
        var seed = new Option<long>("--seed") { Description = "Response i uses seed + i: same seed, same responses.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per response (text, token ids, log-probs)." };
        var command = new Command("generate", "Sample responses from a model directory.")
        {
            prompt, n, temperature, topP, topK, maxNewTokens, seed, json,
        };
        modelOptions.AddTo(command);
        command.SetAction(parse =>
        {
            int count = parse.GetValue(n) > 0 ? parse.GetValue(n) : throw new UsageException("--n must be positive");
            var options = new SamplingOptions
            {
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                TopK = parse.GetValue(topK),
                MaxNewTokens = parse.GetValue(maxNewTokens),
            };
            Validate(options);
            using var loaded = modelOptions.Load(parse);
            var promptIds = loaded.Tokenizer.Encode(parse.GetValue(prompt)!).ToArray();
            if (promptIds.Length == 0) throw new UsageException("--prompt encodes to no tokens");
            var seeds = Enumerable.Range(0, count).Select(i => parse.GetValue(seed) + i).ToList();
            var result = Sampler.Generate(loaded.Model, Enumerable.Repeat(promptIds, count).ToList(), options, seeds);
            for (int i = 0; i < count; i++)
            {
                var sequence = result.Sequences[i];
                string text = loaded.Tokenizer.Decode(sequence.TokenIds, skipSpecialTokens: true);
                if (parse.GetValue(json))
                {
                    var row = new JsonObject
                    {
                        ["index"] = i,
                        ["text"] = text,
                        ["token_ids"] = new JsonArray(sequence.TokenIds.Select(t => (JsonNode)t).ToArray()),
                        ["logprobs"] = new JsonArray(sequence.LogProbs.Select(v => (JsonNode)(double)v).ToArray()),
                        ["finished"] = sequence.Finished,
                    };
                    Console.Out.WriteLine(row.ToJsonString(CliJson.Options));
                }
                else
                {
                    Console.Out.WriteLine($"--- response {i} ({sequence.TokenIds.Length} tokens, {(sequence.Finished ? "stopped at end-of-sequence" : "hit --max-new-tokens")}, log-prob {sequence.LogProbs.Sum():F2})");
                    Console.Out.WriteLine(text);
                }
            }
            return 0;
        });
        return command;
    }

    static void Validate(SamplingOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            // SamplingOptions names its property; the user typed an option: name that, on one line.
            string option = e.ParamName switch
            {
                nameof(SamplingOptions.TopP) => "--top-p",
                nameof(SamplingOptions.Temperature) => "--temperature",
                nameof(SamplingOptions.TopK) => "--top-k",
                nameof(SamplingOptions.MaxNewTokens) => "--max-new-tokens",
                _ => e.ParamName ?? "sampling options",
            };
            string why = e.Message.Split(" (Parameter", 2)[0].Split('\n')[0];
            string value = e is ArgumentOutOfRangeException { ActualValue: { } actual } ? $" = {actual}" : "";
            throw new UsageException($"{option}{value}: {why}");
        }
    }
}
