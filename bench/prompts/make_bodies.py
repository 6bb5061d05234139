#!/usr/bin/env python3
"""Writes the two long request shapes of bench/run.sh from this repository's own documentation (no outside data):

  conversation.json  a chat of 10 user turns with the 9 answers between them and a system prompt, ~2,000 tokens
  rag.json           a system prompt and one user message holding retrieved passages and a question, ~4,000 tokens

Each file is the "messages" array of a chat completion. Tokens are estimated as the gateway does (4 characters each).
The files are committed, so a later change to docs/ does not change what the benchmark sends; rerun this script only
to change the shapes on purpose: python3 bench/prompts/make_bodies.py
"""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = pathlib.Path(__file__).resolve().parent


def paragraphs(*pages):
    """Prose paragraphs of the pages, in order: no tables, code, headings or lists."""
    found = []
    for page in pages:
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        for block in re.split(r"\n\s*\n", text):
            if block.startswith("    "):
                continue
            block = block.strip()
            if not block or block[0] in "#|-*>`" or len(block) < 200:
                continue
            found.append(re.sub(r"\s*\n\s*", " ", block))
    return found


def tokens(messages):
    return sum((len(m["content"]) + 3) // 4 for m in messages)


SYSTEM = ("You are a senior platform engineer helping a colleague operate an LLM gateway. Answer precisely, say when "
          "you are unsure, and prefer short paragraphs to lists.")

QUESTIONS = [
    "We are putting a routing gateway in front of our models. How does a request flow through it?",
    "How does it decide which model answers a prompt, and what does the cost policy change?",
    "What happens when the chosen expert fails halfway through an answer?",
    "Can we cap what each team spends, and what happens when a budget runs out?",
    "Is the response cache safe for requests that use a temperature above zero?",
    "How do we know the router is any good before we ship it?",
    "What does it cost in latency compared with calling the provider directly?",
    "How do we run several replicas so that budgets are shared?",
    "What do we need to log so that the router can learn from our own traffic?",
    "Given all that, what would you check first if routed requests suddenly got slower?",
]

RAG_QUESTION = ("Question: using only the passages above, explain what the router reads from a request, what it costs "
                "per request, and how its quality is measured. Cite the passages you rely on by number.")


def conversation():
    answers = paragraphs("architecture.md", "routing.md", "resilience.md", "tenants.md", "cache.md")
    messages = [{"role": "system", "content": SYSTEM}]
    for i, question in enumerate(QUESTIONS):
        messages.append({"role": "user", "content": question})
        if i < len(QUESTIONS) - 1:
            # Answers of about 200 tokens: paragraphs taken in order until 800 characters, cut at a sentence end.
            answer = ""
            while len(answer) < 800:
                answer = (answer + " " + answers.pop(0)).strip()
            cut = answer.rfind(". ", 800, 900)
            messages.append({"role": "assistant", "content": answer[:cut + 1] if cut > 0 else answer[:880]})
    return messages


def rag():
    passages = paragraphs("routing.md", "evaluation.md", "architecture.md", "performance.md", "learning.md")
    context, n = [], 0
    for passage in passages:
        if sum(len(p) for p in context) > 15_200:
            break
        n += 1
        context.append(f"[{n}] {passage}")
    user = "Answer the question at the end from the retrieved passages.\n\n" + "\n\n".join(context) + "\n\n" + RAG_QUESTION
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


for name, messages in (("conversation", conversation()), ("rag", rag())):
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(messages, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(messages)} messages, ~{tokens(messages)} tokens, "
          f"last user message ~{(len(messages[-1]['content']) + 3) // 4} tokens")
