using System.CommandLine;
using System.Text.Json.Nodes;
using Apo.Common.IO;
using Apo.Model;
using Apo.Model.Inference;

namespace Apo.Cli.Commands;

/// <summary>`apo logprob`: teacher-forced log-probabilities of given responses.</summary>
static class LogProbCommand
{
    public static Command Create()
    {
        var modelOptions = new ModelOptions();
        var input = new Option<FileInfo>("--in")
        {
            Description = "JSONL: {\"prompt\": text, \"response\": text} or {\"prompt_ids\": [...], \"response_ids\": [...]} per line.",
            Required = true,
        };
        var appendEos = new Option<bool>("--append-eos") { Description = "Append the end-of-sequence token to text responses (id responses are used exactly as given)." };
        var maxTokens = new Option<int>("--max-tokens")
        {
            Description = "Most padded tokens (prompt + response) scored in one pass; rows of similar length go together. 0 = all at once.",
            DefaultValueFactory = _ => 16384,
        };
        var command = new Command("logprob", "Print the summed and per-token log-probabilities of each response given its prompt (temperature 1).")
        {
            input, appendEos, maxTokens,
        };
        modelOptions.AddTo(command);
        command.SetAction(parse =>
        {
            using var loaded = modelOptions.Load(parse);
            var pairs = JsonLines.ReadAll(parse.GetValue(input)!.FullName)
                .Select(line => Tokenize(line, loaded, parse.GetValue(appendEos)))
                .ToList();
            int budget = parse.GetValue(maxTokens) >= 0 ? parse.GetValue(maxTokens) : throw new UsageException("--max-tokens must be ≥ 0 (0 = all at once)");
            var scores = Scorer.Score(loaded.Model, pairs.Select(p => p.Prompt).ToList(), pairs.Select(p => p.Response).ToList(), budget);
            foreach (var score in scores)
            {
                var row = new JsonObject
                {
                    ["logprob"] = score.Sum,
                    ["token_logprobs"] = new JsonArray(score.TokenLogProbs.Select(v => (JsonNode)(double)v).ToArray()),
                    ["n_tokens"] = score.TokenLogProbs.Length,
                };
                Console.Out.WriteLine(row.ToJsonString(CliJson.Options));
            }
            return 0;
        });
        return command;
    }

    static (int[] Prompt, int[] Response) Tokenize(JsonLine line, LoadedModel loaded, bool appendEos)
    {
        if (line.Row.ContainsKey("prompt_ids") || line.Row.ContainsKey("response_ids"))
        {
            var ids = (Prompt: line.RequiredIntArray("prompt_ids"), Response: line.RequiredIntArray("response_ids"));
            CheckRange(line, "prompt_ids", ids.Prompt, loaded.Config.VocabSize);
            CheckRange(line, "response_ids", ids.Response, loaded.Config.VocabSize);
            if (ids.Prompt.Length == 0) throw new InvalidDataException($"{line.Where}: field \"prompt_ids\" is empty (a response needs at least one token of context)");
            return ids;
        }
        var prompt = loaded.Tokenizer.Encode(line.RequiredString("prompt")).ToArray();
        var response = loaded.Tokenizer.Encode(line.RequiredString("response")).ToList();
        if (appendEos) response.Add(loaded.Tokenizer.EosId);
        if (prompt.Length == 0) throw new InvalidDataException($"{line.Where}: field \"prompt\" encodes to no tokens (a response needs at least one token of context)");
        return (prompt, response.ToArray());
    }

    static void CheckRange(JsonLine line, string field, int[] ids, int vocabSize)
    {
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] < 0 || ids[i] >= vocabSize)
                throw new InvalidDataException($"{line.Where}: field \"{field}\"[{i}] = {ids[i]} is outside the vocabulary [0, {vocabSize})");
    }
}
