"""Relevance: nDCG@10 and MRR on the committed development set, per segmentation; throughput at 20k craftsmen.

    .venv/bin/python bench/matching_relevance.py
    .venv/bin/python bench/matching_relevance.py --json var/bench/matching_relevance.json

Quality is measured on text alone (BM25 over the craftsman texts, no tags or other features), so that the
segmentations are compared on what they change. bm25s' default tokenizer is the baseline. Throughput: problems
scored per second against a 20,000-craftsman pool, (a) BM25 text relevance with top-100 selection and
(b) the engine's full candidate generation (all features, hard rules, top-100), each with and without
segmenting the problem texts (which the workflow can do once, when a problem is filed).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import bm25s
import numpy as np

from gonghui.matching import CraftsmanPool, MatchingConfig
from gonghui.matching.relevance import RelevanceIndex
from gonghui.matching.synthetic import generate_instance
from gonghui.matching.text import MODES, segment_many

DEVSET = (
    Path(__file__).resolve().parents[1] / "src" / "gonghui" / "matching" / "data" / "relevance_devset.json"
)


def ndcg_at(ranking: np.ndarray, gains: dict[int, int], k: int = 10) -> float:
    dcg = sum((2 ** gains.get(int(doc), 0) - 1) / np.log2(rank + 2) for rank, doc in enumerate(ranking[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / np.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranking: np.ndarray, gains: dict[int, int]) -> float:
    for rank, doc in enumerate(ranking):
        if gains.get(int(doc), 0) > 0:
            return 1.0 / (rank + 1)
    return 0.0


def rankings_default_tokenizer(texts, queries):
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords=None, show_progress=False), show_progress=False)
    vocab = retriever.vocab_dict
    out = []
    for query in queries:
        tokens = bm25s.tokenize([query], stopwords=None, show_progress=False, return_ids=False)[0]
        ids = [vocab[t] for t in tokens if t in vocab]
        scores = retriever.get_scores_from_ids(ids) if ids else np.zeros(len(texts))
        out.append(np.lexsort((np.arange(len(texts)), -scores)))
    return out


def rankings_ours(texts, queries, mode):
    scores = RelevanceIndex(texts, mode=mode).scores(queries)
    return [np.lexsort((np.arange(len(texts)), -row)) for row in scores]


def evaluate(devset) -> list[dict]:
    texts = [c["text"] for c in devset["craftsmen"]]
    position = {c["id"]: j for j, c in enumerate(devset["craftsmen"])}
    rows = []
    methods = [("bm25s default tokenizer", lambda q: rankings_default_tokenizer(texts, q))]
    methods += [(f"ours: {mode}", lambda q, mode=mode: rankings_ours(texts, q, mode)) for mode in MODES]
    for name, rank in methods:
        row = {"segmentation": name}
        for subset in ("handwritten", "generated", "all"):
            queries = [q for q in devset["queries"] if subset == "all" or q["source"] == subset]
            rankings = rank([q["text"] for q in queries])
            gains = [{position[c]: g for c, g in q["relevant"].items()} for q in queries]
            row[f"ndcg10_{subset}"] = round(
                float(np.mean([ndcg_at(r, g) for r, g in zip(rankings, gains, strict=True)])), 4
            )
            row[f"mrr_{subset}"] = round(
                float(np.mean([mrr(r, g) for r, g in zip(rankings, gains, strict=True)])), 4
            )
        rows.append(row)
    return rows


def throughput(n_problems: int, n_craftsmen: int, seed: int) -> list[dict]:
    instance = generate_instance(n_problems, n_craftsmen, seed=seed)
    texts = [p.text for p in instance.problems]
    rows = []
    for mode in MODES:
        config = MatchingConfig(segmentation=mode)
        started = time.perf_counter()
        pool = CraftsmanPool(instance.craftsmen, instance.geography, config)
        index_s = time.perf_counter() - started

        started = time.perf_counter()
        tokens = segment_many(texts, mode)
        segment_s = time.perf_counter() - started
        started = time.perf_counter()
        text_scores = 0
        for start in range(0, len(tokens), 512):
            block = (pool.index.query_matrix(tokens[start : start + 512]) @ pool.index.matrix).toarray()
            np.partition(block, block.shape[1] - 100, axis=1)
            text_scores += block.shape[0]
        bm25_s = time.perf_counter() - started

        started = time.perf_counter()
        prepared = pool.prepare(instance.problems)
        prepare_s = time.perf_counter() - started
        started = time.perf_counter()
        pool.candidates(prepared, top_k=100)
        candidates_s = time.perf_counter() - started
        rows.append(
            {
                "segmentation": mode,
                "craftsmen": n_craftsmen,
                "problems": n_problems,
                "index_build_s": round(index_s, 2),
                "segment_per_s": round(n_problems / segment_s),
                "bm25_top100_per_s_presegmented": round(n_problems / bm25_s),
                "bm25_top100_per_s_with_segmentation": round(n_problems / (bm25_s + segment_s)),
                "candidates_per_s_presegmented": round(n_problems / candidates_s),
                "candidates_per_s_with_segmentation": round(n_problems / (candidates_s + prepare_s)),
            }
        )
    return rows


def print_table(rows, columns):
    widths = {c: max(len(c), *(len(str(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r.get(c)).ljust(widths[c]) for c in columns))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=5000)
    parser.add_argument("--craftsmen", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    devset = json.loads(DEVSET.read_text(encoding="utf-8"))
    n_hand = sum(q["source"] == "handwritten" for q in devset["queries"])
    print(
        f"development set: {len(devset['craftsmen'])} craftsmen, {len(devset['queries'])} queries "
        f"({n_hand} hand-written)"
    )
    quality = evaluate(devset)
    print_table(
        quality,
        [
            "segmentation",
            "ndcg10_handwritten",
            "mrr_handwritten",
            "ndcg10_generated",
            "mrr_generated",
            "ndcg10_all",
            "mrr_all",
        ],
    )
    speed = throughput(args.problems, args.craftsmen, args.seed)
    print(
        f"\nthroughput against {args.craftsmen:,} craftsmen ({args.problems:,} problems; problems per second)"
    )
    print_table(
        speed,
        [
            "segmentation",
            "index_build_s",
            "segment_per_s",
            "bm25_top100_per_s_presegmented",
            "bm25_top100_per_s_with_segmentation",
            "candidates_per_s_presegmented",
            "candidates_per_s_with_segmentation",
        ],
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"quality": quality, "throughput": speed}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
