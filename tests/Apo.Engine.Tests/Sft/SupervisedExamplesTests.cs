using Apo.Engine.Prompts;
using Apo.Engine.Sft;
using Apo.Model.Text;
using Apo.Tasks.Data;

namespace Apo.Engine.Tests.Sft;

public class SupervisedExamplesTests
{
    [Fact]
    public void PromptMatchesWhatSamplingEncodesAndTargetEndsWithEos()
    {
        var row = new Gsm8kRow("Mia has 7 pens. She buys 5 more pens. How many pens does Mia have now?", "7 + 5 = 12.\n#### 12");
        var tokenizer = BpeTrainer.Train([row.Question, row.Answer, PromptTemplates.Gsm8kInstruction], 300);
        var example = Assert.Single(SupervisedExamples.FromGsm8k([row], tokenizer));

        string prompt = PromptTemplates.Gsm8k(row.Question);
        var encoded = PromptEncoder.Encode(new PromptExample("id", row.Question, prompt, "12", "test", TaskKinds.Gsm8k), tokenizer);
        Assert.Equal(encoded.PromptIds, example.PromptIds);
        Assert.Equal(tokenizer.EosId, example.TargetIds[^1]);
        Assert.Equal(row.Answer, tokenizer.Decode(example.TargetIds, skipSpecialTokens: true));
    }
}
