using Apo.Tasks.Data;

namespace Apo.Tasks.Tests.Data;

public class PromptTemplatesTests
{
    [Fact]
    public void Gsm8kTemplateIsThePapersText()
    {
        // Paper App. A.1 / verl gsm8k.py: question, a space, the instruction.
        Assert.Equal("What is 2+2? Let's think step by step and output the final answer after \"####\".",
            PromptTemplates.Gsm8k("What is 2+2?"));
    }

    [Fact]
    public void MathTemplateIsThePapersText()
    {
        Assert.Equal("Find $x$. Let's think step by step and output the final answer within \\boxed{}.",
            PromptTemplates.Math("Find $x$."));
    }

    [Fact]
    public void TemplatedPromptsAreRecognisedAndStripped()
    {
        Assert.Equal(TaskKinds.Gsm8k, PromptTemplates.TaskOfTemplatedPrompt(PromptTemplates.Gsm8k("Q?")));
        Assert.Equal(TaskKinds.Math, PromptTemplates.TaskOfTemplatedPrompt(PromptTemplates.Math("Q?")));
        Assert.Null(PromptTemplates.TaskOfTemplatedPrompt("Q?"));
        Assert.Equal("Q?", PromptTemplates.StripInstruction(PromptTemplates.Apply(TaskKinds.Math, "Q?")));
        Assert.Throws<ArgumentException>(() => PromptTemplates.Apply("chess", "Q?"));
    }
}
