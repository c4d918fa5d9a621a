using Apo.Common.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Apo.Model.Text;

public sealed partial class TextTokenizer
{
    /// <summary>The ChatML template in Jinja, so transformers' apply_chat_template agrees with <see cref="ApplyChatTemplate"/>.</summary>
    private const string ChatTemplateJinja =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes vocab.json, merges.txt, tokenizer_config.json (tokenizer_class Qwen2Tokenizer) and
    /// tokenizer.json into <paramref name="modelDirectory"/> (created if needed), each atomically,
    /// so both <see cref="Load"/> and Hugging Face transformers can read the directory.
    /// </summary>
    public void Save(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        Directory.CreateDirectory(modelDirectory);
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, "vocab.json"), Json(WriteVocabulary));
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, "merges.txt"), MergesText());
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, "tokenizer_config.json"), Json(WriteConfig));
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, "tokenizer.json"), Json(WriteTokenizerJson));
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented)) write(writer);
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private string MergesText()
    {
        var text = new StringBuilder("#version: 0.2\n");
        foreach (var (left, right) in _merges) text.Append(left).Append(' ').Append(right).Append('\n');
        return text.ToString();
    }

    private void WriteVocabulary(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        foreach (var (token, id) in _vocabulary.OrderBy(kv => kv.Value)) json.WriteNumber(token, id);
        json.WriteEndObject();
    }

    private void WriteConfig(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteBoolean("add_bos_token", false);
        json.WriteBoolean("add_prefix_space", false);
        json.WriteStartObject("added_tokens_decoder");
        foreach (AddedToken token in _addedTokens)
        {
            json.WriteStartObject(token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteAddedTokenFlags(json, token);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteStartArray("additional_special_tokens");
        foreach (AddedToken token in _addedTokens.Where(t => t.Special && t.Content != EosToken && t.Content != PadToken))
            json.WriteStringValue(token.Content);
        json.WriteEndArray();
        json.WriteNull("bos_token");
        if (ImStartId is not null && ImEndId is not null) json.WriteString("chat_template", ChatTemplateJinja);
        json.WriteBoolean("clean_up_tokenization_spaces", false);
        json.WriteString("eos_token", EosToken);
        json.WriteString("errors", "replace");
        json.WriteNumber("model_max_length", 32768);
        json.WriteString("pad_token", PadToken);
        json.WriteBoolean("split_special_tokens", false);
        json.WriteString("tokenizer_class", "Qwen2Tokenizer");
        json.WriteNull("unk_token");
        json.WriteEndObject();
    }

    private static void WriteAddedTokenFlags(Utf8JsonWriter json, AddedToken token)
    {
        json.WriteString("content", token.Content);
        json.WriteBoolean("lstrip", false);
        json.WriteBoolean("normalized", false);
        json.WriteBoolean("rstrip", false);
        json.WriteBoolean("single_word", false);
        json.WriteBoolean("special", token.Special);
    }

    private void WriteTokenizerJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        foreach (AddedToken token in _addedTokens)
        {
            json.WriteStartObject();
            json.WriteNumber("id", token.Id);
            WriteAddedTokenFlags(json, token);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartObject("normalizer");
        json.WriteString("type", "NFC");
        json.WriteEndObject();

        json.WriteStartObject("pre_tokenizer");
        json.WriteString("type", "Sequence");
        json.WriteStartArray("pretokenizers");
        json.WriteStartObject();
        json.WriteString("type", "Split");
        json.WriteStartObject("pattern");
        json.WriteString("Regex", Qwen2PreTokenizer.Pattern);
        json.WriteEndObject();
        json.WriteString("behavior", "Isolated");
        json.WriteBoolean("invert", false);
        json.WriteEndObject();
        WriteByteLevel(json, null);
        json.WriteEndArray();
        json.WriteEndObject();

        WriteByteLevel(json, "post_processor");
        WriteByteLevel(json, "decoder");

        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteString("continuing_subword_prefix", "");
        json.WriteString("end_of_word_suffix", "");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", false);
        json.WritePropertyName("vocab");
        WriteVocabulary(json);
        json.WriteStartArray("merges");
        foreach (var (left, right) in _merges) json.WriteStringValue(left + " " + right);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteByteLevel(Utf8JsonWriter json, string? propertyName)
    {
        if (propertyName is null) json.WriteStartObject(); else json.WriteStartObject(propertyName);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", false);
        json.WriteBoolean("use_regex", false);
        json.WriteEndObject();
    }
}
