namespace Apo.Model.Text;

/// <summary>
/// A token matched as a whole wherever it appears in text (Hugging Face "added token").
/// <paramref name="Special"/> tokens (like <c>&lt;|im_end|&gt;</c>) are dropped by
/// <c>Decode(ids, skipSpecialTokens: true)</c>; non-special ones are kept.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special = true);
