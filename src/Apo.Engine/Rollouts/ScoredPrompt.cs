namespace Apo.Engine.Rollouts;

/// <summary>A prompt ready for sampling: its id (seeds derive from it), token ids and what a verifier checks against.</summary>
public sealed record ScoredPrompt(string Id, int[] PromptIds, string GroundTruth);
