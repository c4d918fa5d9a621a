using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// The generation layout: prompts left-padded to a common width P, <code>[pad … pad prompt]</code>
/// so every row's next token goes to column P, and position ids count real tokens only (left padding does
/// not shift rotary positions). Padding slots carry token id 0 and attention mask 0. Scoring given
/// responses uses <see cref="TeacherForcingBatch"/> instead, which needs no mask at all.
/// </summary>
public sealed class PaddedBatch : IDisposable
{
    PaddedBatch(Tensor inputIds, Tensor attentionMask, Tensor positionIds, int promptWidth, int[] promptLengths)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        PositionIds = positionIds;
        PromptWidth = promptWidth;
        PromptLengths = promptLengths;
    }

    /// <summary>Token ids [B, P] (int64).</summary>
    public Tensor InputIds { get; }
    /// <summary>[B, P] int64, 1 for real tokens.</summary>
    public Tensor AttentionMask { get; }
    /// <summary>[B, P] int64 rotary positions (0 on padding).</summary>
    public Tensor PositionIds { get; }
    public int PromptWidth { get; }
    public int[] PromptLengths { get; }
    public int BatchSize => PromptLengths.Length;

    /// <summary>Lays out <paramref name="prompts"/> (non-empty, each at least one token) on <paramref name="device"/>.</summary>
    public static PaddedBatch Create(IReadOnlyList<int[]> prompts, int vocabSize, Device device)
    {
        int batch = prompts.Count;
        if (batch == 0) throw new ArgumentException("the batch is empty", nameof(prompts));
        for (int b = 0; b < batch; b++)
        {
            if (prompts[b].Length == 0) throw new ArgumentException($"prompt {b} is empty (a prompt needs at least one token)", nameof(prompts));
            CheckIds(prompts[b], vocabSize, $"prompt {b}");
        }
        int width = prompts.Max(p => p.Length);
        var ids = new long[batch * width];
        var mask = new long[batch * width];
        var positions = new long[batch * width];
        for (int b = 0; b < batch; b++)
        {
            var prompt = prompts[b];
            int start = width - prompt.Length, row = b * width;
            for (int i = 0; i < prompt.Length; i++)
            {
                ids[row + start + i] = prompt[i];
                mask[row + start + i] = 1;
                positions[row + start + i] = i;
            }
        }
        return new PaddedBatch(
            tensor(ids, [batch, width], device: device),
            tensor(mask, [batch, width], device: device),
            tensor(positions, [batch, width], device: device),
            width, prompts.Select(p => p.Length).ToArray());
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
    }
}
