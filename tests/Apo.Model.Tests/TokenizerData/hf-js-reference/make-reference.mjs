// Regenerates reference.jsonl and chat.json from the tokenizer files in this folder with
// Hugging Face's own JavaScript implementations (an implementation independent of ours):
//   npm install @huggingface/tokenizers@0.2.0 @huggingface/jinja@0.5.11
//   node make-reference.mjs reference.jsonl   (reads the "text" of each line; any such file works)
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import fs from "fs";
import path from "path";
const here = path.dirname(new URL(import.meta.url).pathname);
const read = (name) => JSON.parse(fs.readFileSync(path.join(here, name), "utf8"));
const config = read("tokenizer_config.json");
const tokenizer = new Tokenizer(read("tokenizer.json"), config);
const lines = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
fs.writeFileSync(path.join(here, "reference.jsonl"),
  lines.map((text) => JSON.stringify({ text, ids: tokenizer.encode(text, { add_special_tokens: false }).ids })).join("\n") + "\n");
const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: "What is 2+2?\nThink." }];
fs.writeFileSync(path.join(here, "chat.json"), JSON.stringify({
  messages,
  withPrompt: new Template(config.chat_template).render({ messages, add_generation_prompt: true }),
  withoutPrompt: new Template(config.chat_template).render({ messages, add_generation_prompt: false }),
}, null, 1) + "\n");
