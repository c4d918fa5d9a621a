using Apo.Engine.Rollouts;
using Apo.Model.Text;
using Apo.Tasks.Data;

namespace Apo.Engine.Prompts;

/// <summary>
/// Turns dataset examples into token ids. Base models (and the embedded one) see the templated
/// prompt as plain text; chat models can get it wrapped as one user turn of the chat template.
/// </summary>
public static class PromptEncoder
{
    public static ScoredPrompt Encode(PromptExample example, TextTokenizer tokenizer, bool chatTemplate = false, int maxPromptTokens = 0)
    {
        string text = chatTemplate ? tokenizer.ApplyChatTemplate([("user", example.Prompt)], addGenerationPrompt: true) : example.Prompt;
        var ids = tokenizer.Encode(text).ToArray();
        if (ids.Length == 0) throw new InvalidDataException($"prompt \"{example.Id}\" encodes to no tokens");
        // Keep the end of an over-long prompt: the question and its instruction come last.
        if (maxPromptTokens > 0 && ids.Length > maxPromptTokens) ids = ids[^maxPromptTokens..];
        return new ScoredPrompt(example.Id, ids, example.GroundTruth);
    }
}
