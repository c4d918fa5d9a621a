#!/usr/bin/env python3
"""Independent reference for the C# Qwen2 model.

Builds tiny Qwen2 checkpoints from a fixed torch seed, runs a Qwen2 forward pass written here from the
architecture description (float64, one sequence at a time, no padding, no cache), and writes for each
variant a Hugging Face model directory:  config.json, model.safetensors, golden.json.

Run once with Debian's python3-torch:   /usr/bin/python3 make_golden.py
Outputs go next to this script (tied/ and untied/). Only torch and the standard library are used;
the safetensors file is written by hand (8-byte little-endian header length, JSON header, raw bytes).
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

BASE = dict(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, rope_theta=10000.0,
            max_position_embeddings=128, torch_dtype="float32", bos_token_id=1, eos_token_id=2)

# (prompt, response) pairs of different lengths; the response ends with EOS (2) in some of them.
CASES = [
    ([5, 17, 33, 8], [12, 40, 2]),
    ([9], [3, 3, 61, 27, 50, 2]),
    ([44, 7, 19, 21, 30, 11, 60], [1]),
    ([63, 0, 15], [22, 48, 5, 6, 7, 8, 9, 2]),
]


def make_weights(cfg, seed):
    """Random weights with scales large enough that every part of the network matters."""
    g = torch.Generator().manual_seed(seed)
    h, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    d = h // cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"] * d

    def rnd(*shape, std=0.2):
        return torch.randn(*shape, generator=g, dtype=torch.float64) * std

    w = {"model.embed_tokens.weight": rnd(v, h, std=0.5)}
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        w[p + "input_layernorm.weight"] = 1.0 + rnd(h, std=0.1)
        w[p + "self_attn.q_proj.weight"] = rnd(h, h)
        w[p + "self_attn.q_proj.bias"] = rnd(h, std=0.1)
        w[p + "self_attn.k_proj.weight"] = rnd(kv, h)
        w[p + "self_attn.k_proj.bias"] = rnd(kv, std=0.1)
        w[p + "self_attn.v_proj.weight"] = rnd(kv, h)
        w[p + "self_attn.v_proj.bias"] = rnd(kv, std=0.1)
        w[p + "self_attn.o_proj.weight"] = rnd(h, h)
        w[p + "post_attention_layernorm.weight"] = 1.0 + rnd(h, std=0.1)
        w[p + "mlp.gate_proj.weight"] = rnd(i, h)
        w[p + "mlp.up_proj.weight"] = rnd(i, h)
        w[p + "mlp.down_proj.weight"] = rnd(h, i)
    w["model.norm.weight"] = 1.0 + rnd(h, std=0.1)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(v, h, std=0.5)
    # Round to float32 once, so the reference computes with exactly the stored values.
    return {k: t.to(torch.float32).to(torch.float64) for k, t in w.items()}


def rms_norm(x, weight, eps):
    return weight * x / torch.sqrt((x * x).mean(dim=-1, keepdim=True) + eps)


def rotate(x, positions, theta):
    """x: [heads, T, d]. Pairs element j with element j + d/2 and rotates the pair by pos * theta^(-2j/d)."""
    d = x.shape[-1]
    half = d // 2
    out = torch.empty_like(x)
    for j in range(half):
        angle = positions * theta ** (-2.0 * j / d)          # [T]
        c, s = torch.cos(angle), torch.sin(angle)
        a, b = x[..., j], x[..., j + half]
        out[..., j] = a * c - b * s
        out[..., j + half] = b * c + a * s
    return out


def forward_logprobs(cfg, w, ids):
    """Log-softmax over the vocabulary at every position of one unpadded sequence: [T, V]."""
    h_size = cfg["hidden_size"]
    n_heads, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = h_size // n_heads
    group = n_heads // n_kv
    t = len(ids)
    positions = torch.arange(t, dtype=torch.float64)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], cfg["rms_norm_eps"])
        q = h @ w[p + "self_attn.q_proj.weight"].T + w[p + "self_attn.q_proj.bias"]
        k = h @ w[p + "self_attn.k_proj.weight"].T + w[p + "self_attn.k_proj.bias"]
        v = h @ w[p + "self_attn.v_proj.weight"].T + w[p + "self_attn.v_proj.bias"]
        q = rotate(q.view(t, n_heads, d).transpose(0, 1), positions, cfg["rope_theta"])
        k = rotate(k.view(t, n_kv, d).transpose(0, 1), positions, cfg["rope_theta"])
        v = v.view(t, n_kv, d).transpose(0, 1)
        heads = []
        for head in range(n_heads):
            kv_head = head // group                           # query heads share key/value heads in groups
            scores = q[head] @ k[kv_head].T / math.sqrt(d)    # [T, T]
            future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
            scores = scores.masked_fill(future, float("-inf"))
            heads.append(torch.softmax(scores, dim=-1) @ v[kv_head])
        attended = torch.cat(heads, dim=-1)                   # [T, hidden], head-major like the projection
        x = x + attended @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg["rms_norm_eps"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (gate * torch.sigmoid(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], cfg["rms_norm_eps"])
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return torch.log_softmax(x @ head.T, dim=-1)


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].to(torch.float32).contiguous()
        data = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)  # align the data section to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for chunk in chunks:
            f.write(chunk)


def main():
    for name, tied, seed in (("tied", True, 1234), ("untied", False, 5678)):
        cfg = dict(BASE, tie_word_embeddings=tied)
        w = make_weights(cfg, seed)
        out = os.path.join(HERE, name)
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(dict(cfg, model_type="qwen2", architectures=["Qwen2ForCausalLM"], hidden_act="silu"), f, indent=2)
        write_safetensors(os.path.join(out, "model.safetensors"), w)
        cases = []
        for prompt, response in CASES:
            logp = forward_logprobs(cfg, w, prompt + response)
            token_logprobs = [logp[len(prompt) - 1 + j, tok].item() for j, tok in enumerate(response)]
            cases.append({"prompt": prompt, "response": response, "token_logprobs": token_logprobs})
        with open(os.path.join(out, "golden.json"), "w") as f:
            json.dump({"reference": "make_golden.py (float64 plain-torch Qwen2 forward)", "cases": cases}, f, indent=2)
        print(name, [round(sum(c["token_logprobs"]), 6) for c in cases])


if __name__ == "__main__":
    main()
