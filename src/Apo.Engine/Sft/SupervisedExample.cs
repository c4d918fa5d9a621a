namespace Apo.Engine.Sft;

/// <summary>One supervised pair: the prompt's token ids and the target response's, which should end with EOS.</summary>
public sealed record SupervisedExample(int[] PromptIds, int[] TargetIds);
