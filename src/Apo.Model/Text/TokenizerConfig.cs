using System.Text.Json;

namespace Apo.Model.Text;

/// <summary>What the tokenizer uses from a Hugging Face tokenizer_config.json.</summary>
internal sealed record TokenizerConfig(List<AddedToken>? AddedTokens, string? EosToken, string? PadToken)
{
    public static TokenizerConfig Read(string path)
    {
        using JsonDocument doc = TokenizerJson.Parse(path);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: the file should hold a JSON object");

        List<AddedToken>? added = null;
        if (root.TryGetProperty("added_tokens_decoder", out JsonElement decoder) && decoder.ValueKind != JsonValueKind.Null)
        {
            if (decoder.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: field \"added_tokens_decoder\" should be an object of id → token");
            added = [];
            foreach (JsonProperty entry in decoder.EnumerateObject())
            {
                string where = $"added_tokens_decoder.{entry.Name}";
                if (!int.TryParse(entry.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
                    throw new InvalidDataException($"{path}: field \"{where}\": the key should be a token id");
                string content = TokenizerJson.Required(entry.Value, "content", JsonValueKind.String, path, where).GetString()!;
                added.Add(new AddedToken(id, content, TokenizerJson.OptionalBool(entry.Value, "special", false, path, where)));
            }
        }
        return new TokenizerConfig(
            added,
            TokenizerJson.OptionalTokenName(root, "eos_token", path),
            TokenizerJson.OptionalTokenName(root, "pad_token", path));
    }
}
