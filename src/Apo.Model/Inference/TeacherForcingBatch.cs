using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// The layout for scoring given responses (training, reference and old log-probs, values): each row is
/// its prompt followed directly by its response, right-padded to the longest row,
/// <code>[prompt response pad … pad]</code>
/// so no row has padding before a real token. Causal attention alone is then exact for every real token
/// (padding only ever follows it), and the model needs no [B, 1, T, S] mask. Response token t of row b is
/// predicted at position P_b − 1 + t; <see cref="PredictingPositions"/> lists those positions of the
/// flattened [B·T] rows, so only real response positions ever reach the LM head.
/// </summary>
public sealed class TeacherForcingBatch : IDisposable
{
    TeacherForcingBatch(Tensor inputIds, Tensor positionIds, Tensor predictingPositions, Tensor targets, Tensor outputPositions,
        Tensor responseMask, int width, int responseWidth, int[] responseLengths)
    {
        InputIds = inputIds;
        PositionIds = positionIds;
        PredictingPositions = predictingPositions;
        Targets = targets;
        OutputPositions = outputPositions;
        ResponseMask = responseMask;
        Width = width;
        ResponseWidth = responseWidth;
        ResponseLengths = responseLengths;
    }

    /// <summary>Token ids [B, T] (int64), 0 on padding.</summary>
    public Tensor InputIds { get; }
    /// <summary>[B, T] int64: 0, 1, 2, … in every row (padding positions are never read).</summary>
    public Tensor PositionIds { get; }
    /// <summary>[N] int64: for every response token, in row-major order, the flat index b·T + P_b − 1 + t that predicts it.</summary>
    public Tensor PredictingPositions { get; }
    /// <summary>[N] int64: the response tokens themselves, in the same order.</summary>
    public Tensor Targets { get; }
    /// <summary>[N] int64: where each response token sits in a [B·R] output (b·R + t).</summary>
    public Tensor OutputPositions { get; }
    /// <summary>[B, R] float32, 1 where a response token exists.</summary>
    public Tensor ResponseMask { get; }
    /// <summary>T, the longest prompt + response.</summary>
    public int Width { get; }
    /// <summary>R, the longest response.</summary>
    public int ResponseWidth { get; }
    public int[] ResponseLengths { get; }
    public int BatchSize => ResponseLengths.Length;
    /// <summary>N, the response tokens of the whole batch.</summary>
    public int ResponseTokens => (int)Targets.shape[0];

    /// <summary>Lays out (prompt, response) pairs on <paramref name="device"/>; every prompt needs at least one token.</summary>
    public static TeacherForcingBatch Create(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses, int vocabSize, Device device)
    {
        int batch = prompts.Count;
        if (batch == 0) throw new ArgumentException("the batch is empty", nameof(prompts));
        if (responses.Count != batch) throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses", nameof(responses));
        for (int b = 0; b < batch; b++)
        {
            if (prompts[b].Length == 0) throw new ArgumentException($"prompt {b} is empty (a prompt needs at least one token)", nameof(prompts));
            PaddedBatch.CheckIds(prompts[b], vocabSize, $"prompt {b}");
            PaddedBatch.CheckIds(responses[b], vocabSize, $"response {b}");
        }
        int width = Enumerable.Range(0, batch).Max(b => prompts[b].Length + responses[b].Length);
        int responseWidth = responses.Max(r => r.Length);
        int tokens = responses.Sum(r => r.Length);
        var ids = new long[batch * width];
        var positions = new long[batch * width];
        var predicting = new long[tokens];
        var targets = new long[tokens];
        var outputs = new long[tokens];
        var mask = new float[batch * responseWidth];
        int n = 0;
        for (int b = 0; b < batch; b++)
        {
            int row = b * width, promptLength = prompts[b].Length;
            for (int i = 0; i < width; i++) positions[row + i] = i;
            for (int i = 0; i < promptLength; i++) ids[row + i] = prompts[b][i];
            var response = responses[b];
            for (int t = 0; t < response.Length; t++)
            {
                ids[row + promptLength + t] = response[t];
                predicting[n] = row + promptLength - 1 + t;
                targets[n] = response[t];
                outputs[n] = (long)b * responseWidth + t;
                mask[b * responseWidth + t] = 1;
                n++;
            }
        }
        return new TeacherForcingBatch(
            tensor(ids, [batch, width], device: device),
            tensor(positions, [batch, width], device: device),
            tensor(predicting, [tokens], device: device),
            tensor(targets, [tokens], device: device),
            tensor(outputs, [tokens], device: device),
            tensor(mask, [batch, responseWidth], device: device),
            width, responseWidth, responses.Select(r => r.Length).ToArray());
    }

    /// <summary>Hidden states [B, T, H] → the N rows that predict response tokens, [N, H].</summary>
    public Tensor Predicting(Tensor hidden) => hidden.reshape(-1, hidden.shape[^1]).index_select(0, PredictingPositions);

    /// <summary>Per-token values [N] → right-padded [B, R] float32 (0 on padding), differentiable.</summary>
    public Tensor ToRows(Tensor perToken)
    {
        using var scope = NewDisposeScope();
        var rows = zeros((long)BatchSize * ResponseWidth, dtype: ScalarType.Float32, device: perToken.device)
            .index_copy(0, OutputPositions, perToken.to(ScalarType.Float32));
        return rows.view(BatchSize, ResponseWidth).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        InputIds.Dispose();
        PositionIds.Dispose();
        PredictingPositions.Dispose();
        Targets.Dispose();
        OutputPositions.Dispose();
        ResponseMask.Dispose();
    }
}
