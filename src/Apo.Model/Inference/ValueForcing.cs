using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Differentiable per-token values of given responses under a <see cref="Qwen2ValueModel"/>, on the same
/// <see cref="PaddedBatch"/> layout and at the same positions as <see cref="TeacherForcing"/>: the value of
/// response token t is read at position P−1+t, the state in which token t is chosen.
/// </summary>
public static class ValueForcing
{
    public static ResponseValues Forward(Qwen2ValueModel model, IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Count != prompts.Count) throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses", nameof(responses));
        using var scope = NewDisposeScope();
        using var batch = PaddedBatch.Create(prompts, responses, model.Config.VocabSize, model.Device);
        var hidden = model.ForwardHidden(batch.InputIds, batch.PositionIds, batch.AttentionMask);
        var mask = batch.ResponseMask.clone();
        var values = model.Values(hidden.narrow(1, batch.PromptWidth - 1, batch.ResponseWidth)) * mask;
        return new ResponseValues(values.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }
}
