using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// The one batching layout shared by generation and scoring: prompts left-padded to a common width P,
/// responses (if any) right-padded to width R after them:
/// <code>[pad … pad prompt | response pad … pad]</code>
/// so every response starts at column P, and position ids count real tokens only (left padding does
/// not shift rotary positions). Padding slots carry token id 0 and attention mask 0.
/// </summary>
public sealed class PaddedBatch : IDisposable
{
    PaddedBatch(Tensor inputIds, Tensor attentionMask, Tensor positionIds, Tensor responseMask,
        int promptWidth, int responseWidth, int[] promptLengths, int[] responseLengths)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        PositionIds = positionIds;
        ResponseMask = responseMask;
        PromptWidth = promptWidth;
        ResponseWidth = responseWidth;
        PromptLengths = promptLengths;
        ResponseLengths = responseLengths;
    }

    /// <summary>Token ids [B, P+R] (int64).</summary>
    public Tensor InputIds { get; }
    /// <summary>[B, P+R] int64, 1 for real tokens.</summary>
    public Tensor AttentionMask { get; }
    /// <summary>[B, P+R] int64 rotary positions (0 on padding).</summary>
    public Tensor PositionIds { get; }
    /// <summary>[B, R] float32, 1 where a response token exists.</summary>
    public Tensor ResponseMask { get; }
    public int PromptWidth { get; }
    public int ResponseWidth { get; }
    public int[] PromptLengths { get; }
    public int[] ResponseLengths { get; }
    public int BatchSize => PromptLengths.Length;

    /// <summary>Lays out <paramref name="prompts"/> (non-empty) and optional <paramref name="responses"/> on <paramref name="device"/>.</summary>
    public static PaddedBatch Create(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]>? responses, int vocabSize, Device device)
    {
        int batch = prompts.Count;
        if (batch == 0) throw new ArgumentException("the batch is empty", nameof(prompts));
        if (responses is not null && responses.Count != batch)
            throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses", nameof(responses));
        for (int b = 0; b < batch; b++)
        {
            if (prompts[b].Length == 0) throw new ArgumentException($"prompt {b} is empty (a prompt needs at least one token)", nameof(prompts));
            CheckIds(prompts[b], vocabSize, $"prompt {b}");
            if (responses is not null) CheckIds(responses[b], vocabSize, $"response {b}");
        }
        int promptWidth = prompts.Max(p => p.Length);
        int responseWidth = responses is null ? 0 : responses.Max(r => r.Length);
        int width = promptWidth + responseWidth;
        var ids = new long[batch * width];
        var mask = new long[batch * width];
        var positions = new long[batch * width];
        var responseMask = new float[batch * Math.Max(responseWidth, 0)];
        var promptLengths = new int[batch];
        var responseLengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            var prompt = prompts[b];
            int start = promptWidth - prompt.Length, row = b * width;
            for (int i = 0; i < prompt.Length; i++)
            {
                ids[row + start + i] = prompt[i];
                mask[row + start + i] = 1;
                positions[row + start + i] = i;
            }
            promptLengths[b] = prompt.Length;
            if (responses is null) continue;
            var response = responses[b];
            for (int i = 0; i < response.Length; i++)
            {
                ids[row + promptWidth + i] = response[i];
                mask[row + promptWidth + i] = 1;
                positions[row + promptWidth + i] = prompt.Length + i;
                responseMask[b * responseWidth + i] = 1;
            }
            responseLengths[b] = response.Length;
        }
        return new PaddedBatch(
            tensor(ids, [batch, width], device: device),
            tensor(mask, [batch, width], device: device),
            tensor(positions, [batch, width], device: device),
            tensor(responseMask, [batch, responseWidth], device: device),
            promptWidth, responseWidth, promptLengths, responseLengths);
    }

    internal static void CheckIds(int[] ids, int vocabSize, string what)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)vocabSize)
                throw new ArgumentException($"{what} token {i} has id {ids[i]}, outside the vocabulary (0..{vocabSize - 1})");
    }

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        PositionIds.Dispose();
        ResponseMask.Dispose();
    }
}
