using Apo.Model.Text;
using Apo.Tasks.Data;

namespace Apo.Engine.Sft;

/// <summary>Builds supervised pairs the way prompts are later sampled, so SFT and RL see the same token boundary.</summary>
public static class SupervisedExamples
{
    /// <summary>
    /// Prompt = the GSM8K template applied to the question, encoded as plain text (as
    /// <see cref="Prompts.PromptEncoder"/> does for base models); target = the reference solution's
    /// tokens followed by the tokenizer's EOS, so the model learns to stop.
    /// </summary>
    public static IReadOnlyList<SupervisedExample> FromGsm8k(IEnumerable<Gsm8kRow> rows, TextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(tokenizer);
        return rows.Select(row => new SupervisedExample(
            tokenizer.Encode(PromptTemplates.Gsm8k(row.Question)).ToArray(),
            tokenizer.Encode(row.Answer).Append(tokenizer.EosId).ToArray())).ToList();
    }
}
