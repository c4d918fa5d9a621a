using Apo.Model.Text;
using Apo.Tasks.Synthetic;

namespace Apo.Cli.Embedded;

/// <summary>
/// The small vocabulary of the tiny embedded reference model: a byte-level BPE trained
/// deterministically on the synthetic task's default training split. Built, not shipped, so there
/// is no opaque vocabulary file in the repository; the same seed always gives the same ids, and a
/// model directory stores its own copy, so later changes here never alter a saved model.
/// </summary>
public static class EmbeddedTokenizer
{
    /// <summary>Ids in all, special tokens included; the tiny preset's vocab_size.</summary>
    public const int VocabularySize = 512;

    public static TextTokenizer Create()
    {
        var corpus = ArithmeticWordProblems.Generate(SyntheticTaskOptions.Default).Train
            .SelectMany(row => new[] { row.Question, row.Answer });
        return BpeTrainer.Train(corpus, VocabularySize);
    }
}
