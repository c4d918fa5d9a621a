using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Differentiable per-token values of given responses under a <see cref="Qwen2ValueModel"/>, on the same
/// <see cref="TeacherForcingBatch"/> layout and at the same positions as <see cref="TeacherForcing"/>: the value of
/// response token t is read at the position that predicts it, the state in which token t is chosen.
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
        using var batch = TeacherForcingBatch.Create(prompts, responses, model.Config.VocabSize, model.Device);
        var hidden = model.ForwardHidden(batch.InputIds, batch.PositionIds, attentionMask: null);
        var mask = batch.ResponseMask.clone();
        var values = batch.ToRows(model.Values(batch.Predicting(hidden)));
        return new ResponseValues(values.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }
}
