"""Chinese segmentation for BM25.

bm25s's default tokenizer keeps runs of word characters, so an unspaced Chinese sentence becomes one giant
token that never matches anything. We segment ourselves, in one of three modes:

* ``jieba``: jieba's search-engine mode (words and their sub-words) with the industrial-terms dictionary
  shipped in ``data/industrial_terms.txt`` (so 注塑模具, 回流焊, 杀青 stay whole), a private jieba
  ``Tokenizer`` so the global jieba state of other code is untouched;
* ``bigram``: overlapping character bigrams of every Chinese run (robust to unknown words and variants);
* ``jieba+bigram``: both, bigrams kept in their own vocabulary (prefixed) so they do not merge with words.

The mode is chosen by measurement on the development set (see bench/matching_relevance.py and
docs/matching.md). Latin words and numbers (SMT, PLC, VOCs, 5S) are kept as lower-case tokens in all modes.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
DICTIONARY_PATH = DATA_DIR / "industrial_terms.txt"
MODES = ("jieba", "bigram", "jieba+bigram")
BIGRAM_PREFIX = "§"

_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]")

STOPWORDS = frozenset(
    """的 了 和 与 及 或 在 是 有 无 不 也 都 把 被 对 为 从 而 并 等 很 较 让 使 到 就 还 又 但 这 那 其 之 中 上 下
    我 我们 我司 公司 企业 本 该 希望 需要 请 帮助 解决 问题 出现 进行 导致 一些 一直 目前 现在 经常 比较 没有 如何
    怎么 怎样 时候 方面 情况 工作 相关 能够 可以 已经 由于 因为 所以 如果 以及 通过 对于 关于 一个 个""".split()
)


def normalise(text: str) -> str:
    """NFKC (full-width to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


@functools.lru_cache(maxsize=1)
def _jieba_tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(DICTIONARY_PATH))
    return tokenizer


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _keep(word: str) -> bool:
    return bool(word.strip()) and word not in STOPWORDS and (len(word) > 1 or not _CJK.match(word))


def segment(text: str, mode: str = "bigram") -> list[str]:
    """Tokens of one text (with repetitions, in order)."""
    if mode not in MODES:
        raise ValueError(f"unknown segmentation mode {mode!r}; choose one of {MODES}")
    text = normalise(text)
    tokens: list[str] = []
    if "jieba" in mode:
        tokenizer = _jieba_tokenizer()
        for run in _RUNS.findall(text):
            if _CJK.match(run):
                tokens.extend(word for word in tokenizer.cut_for_search(run, HMM=False) if _keep(word))
            elif run not in STOPWORDS:
                tokens.append(run)
    if "bigram" in mode:
        prefix = BIGRAM_PREFIX if mode == "jieba+bigram" else ""
        for run in _RUNS.findall(text):
            if _CJK.match(run):
                tokens.extend(prefix + gram for gram in _bigrams(run) if gram not in STOPWORDS)
            elif mode == "bigram" and run not in STOPWORDS:
                tokens.append(run)
    return tokens


def segment_many(texts: list[str], mode: str = "bigram") -> list[list[str]]:
    return [segment(text, mode) for text in texts]


def matched_spans(text: str, tokens: set[str]) -> list[str]:
    """Readable matched terms: maximal stretches of `text` covered by occurrences of `tokens`.

    Works the same for words and bigrams (adjacent matched bigrams 注塑 + 塑模 + 模具 read as 注塑模具).
    """
    text = normalise(text)
    covered = [False] * len(text)
    for token in tokens:
        token = token.removeprefix(BIGRAM_PREFIX)
        if not token:
            continue
        start = text.find(token)
        while start != -1:
            for i in range(start, start + len(token)):
                covered[i] = True
            start = text.find(token, start + 1)
    spans, current = [], []
    for char, is_covered in zip(text, covered, strict=False):
        if is_covered:
            current.append(char)
        elif current:
            spans.append("".join(current))
            current = []
    if current:
        spans.append("".join(current))
    spans = [span for span in spans if len(span) > 1 or not _CJK.match(span)]
    # Title and description often repeat each other: keep each span once, and not inside a longer one.
    result: list[str] = []
    for span in spans:
        if span not in result and not any(span in other for other in spans if len(other) > len(span)):
            result.append(span)
    return result
