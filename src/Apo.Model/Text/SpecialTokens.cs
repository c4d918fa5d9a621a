namespace Apo.Model.Text;

/// <summary>The Qwen2 special token strings.</summary>
public static class SpecialTokens
{
    /// <summary>End of a document; Qwen2's padding token and the base models' EOS.</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary>Opens a ChatML turn.</summary>
    public const string ImStart = "<|im_start|>";

    /// <summary>Closes a ChatML turn; the instruct models' EOS.</summary>
    public const string ImEnd = "<|im_end|>";

    /// <summary>The three tokens, in the order Qwen2 numbers them after the byte-level vocabulary.</summary>
    public static IReadOnlyList<string> Qwen2Defaults { get; } = [EndOfText, ImStart, ImEnd];
}
