namespace Apo.Engine.StageTwo;

/// <summary>One on-policy sample as the A*-PO update needs it: ids, its reward and its prompt's V̂*.</summary>
public sealed record TrainingRollout(string PromptId, int[] PromptIds, int[] ResponseIds, double Reward, double VStar);
