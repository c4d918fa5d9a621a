using Apo.Model.Qwen2;

namespace Apo.Engine.Presets;

/// <summary>The shape of the tiny Qwen2 reference model the embedded default trains from scratch.</summary>
public sealed record ModelShape
{
    /// <summary>Ids in the vocabulary; the embedded tokenizer has 512.</summary>
    public int VocabSize { get; init; } = 512;
    public int HiddenSize { get; init; } = 128;
    public int IntermediateSize { get; init; } = 384;
    public int NumHiddenLayers { get; init; } = 4;
    public int NumAttentionHeads { get; init; } = 4;
    public int NumKeyValueHeads { get; init; } = 2;
    public int MaxPositionEmbeddings { get; init; } = 512;
    public double RopeTheta { get; init; } = 10000;
    public bool TieWordEmbeddings { get; init; } = true;

    /// <summary>The Hugging Face config of this shape, ending responses at <paramref name="eosTokenId"/>.</summary>
    public Qwen2Config ToConfig(int eosTokenId) => new()
    {
        VocabSize = VocabSize,
        HiddenSize = HiddenSize,
        IntermediateSize = IntermediateSize,
        NumHiddenLayers = NumHiddenLayers,
        NumAttentionHeads = NumAttentionHeads,
        NumKeyValueHeads = NumKeyValueHeads,
        MaxPositionEmbeddings = MaxPositionEmbeddings,
        RopeTheta = RopeTheta,
        TieWordEmbeddings = TieWordEmbeddings,
        EosTokenIdList = [eosTokenId],
        BosTokenId = null,
    };
}
