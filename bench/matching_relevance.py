"""Relevance: nDCG@10 and MRR on the committed development set, per segmentation; throughput at 20k craftsmen.

    .venv/bin/python bench/matching_relevance.py
    .venv/bin/python bench/matching_relevance.py --json var/bench/matching_relevance.json

Quality is measured on text alone (BM25 over the craftsman texts, no tags or other features), so that the
segmentations are compared on what they change. bm25s' default tokenizer is the baseline. Throughput: problems
scored per second against a 20,000-craftsman pool, (a) BM25 text relevance with top-100 selection, by the
previous dense partition of every row and by `RelevanceIndex.top_k` (sampled cut), and (b) the engine's full
candidate generation (all features, hard rules, top-100), each with and without segmenting the problem texts
(which the workflow can do once, when a problem is filed). Every rate is given by wall time and by CPU time
(process_time over all threads), since the machine is usually shared.
"""

from __future__ import annotations

import argparse
import json
import os
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


class Clock:
    """Wall (perf_counter) and CPU (process_time, all threads) seconds of one step."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def rate(n: int, *clocks: Clock) -> tuple[int, int]:
    """Problems per second by wall time and by CPU time over the given steps."""
    wall, cpu = sum(c.wall for c in clocks), sum(c.cpu for c in clocks)
    return round(n / wall), round(n / cpu)


def throughput(n_problems: int, n_craftsmen: int, seed: int, modes=MODES) -> list[dict]:
    instance = generate_instance(n_problems, n_craftsmen, seed=seed)
    texts = [p.text for p in instance.problems]
    rows = []
    for mode in modes:
        config = MatchingConfig(segmentation=mode)
        with Clock() as index_clock:
            pool = CraftsmanPool(instance.craftsmen, instance.geography, config)
        with Clock() as segment_clock:
            tokens = segment_many(texts, mode)
        # (a) text only, previous method: dense block product and a partition of every 20k-wide row.
        with Clock() as dense_clock:
            for start in range(0, len(tokens), 512):
                block = (pool.index.query_matrix(tokens[start : start + 512]) @ pool.index.matrix).toarray()
                np.partition(block, block.shape[1] - 100, axis=1)
        # (b) text only, RelevanceIndex.top_k: block product, sampled cut, sort of the survivors (2 threads).
        with Clock() as top_k_clock:
            pool.index.top_k(tokens, 100)
        # (c) the engine's candidate generation: all features, hard rules, top-100 (2 threads).
        with Clock() as prepare_clock:
            prepared = pool.prepare(instance.problems)
        with Clock() as candidates_clock:
            pool.candidates(prepared, top_k=100)
        row = {"segmentation": mode, "craftsmen": n_craftsmen, "problems": n_problems}
        row["index_build_s"] = round(index_clock.wall, 2)
        row["load_average_1min"] = round(os.getloadavg()[0], 2)
        for name, clocks in {
            "segment": (segment_clock,),
            "bm25_dense_partition_presegmented": (dense_clock,),
            "bm25_top_k_presegmented": (top_k_clock,),
            "bm25_top_k_with_segmentation": (top_k_clock, segment_clock),
            "candidates_presegmented": (candidates_clock,),
            "candidates_with_segmentation": (candidates_clock, prepare_clock),
        }.items():
            row[f"{name}_per_s_wall"], row[f"{name}_per_s_cpu"] = rate(n_problems, *clocks)
        rows.append(row)
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
    parser.add_argument("--modes", nargs="*", default=list(MODES), help="segmentations timed for throughput")
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
    speed = throughput(args.problems, args.craftsmen, args.seed, args.modes)
    print(
        f"\nthroughput against {args.craftsmen:,} craftsmen ({args.problems:,} problems; problems per second)"
    )
    print("(wall = perf_counter; CPU = process_time over all threads; the machine may be shared)")
    steps = [
        "segment",
        "bm25_dense_partition_presegmented",
        "bm25_top_k_presegmented",
        "bm25_top_k_with_segmentation",
        "candidates_presegmented",
        "candidates_with_segmentation",
    ]
    table = []
    for row in speed:
        for step in steps:
            table.append(
                {
                    "segmentation": row["segmentation"],
                    "step": step,
                    "per_s_wall": row[f"{step}_per_s_wall"],
                    "per_s_cpu": row[f"{step}_per_s_cpu"],
                }
            )
        table.append(
            {
                "segmentation": row["segmentation"],
                "step": "(index build s)",
                "per_s_wall": row["index_build_s"],
            }
        )
    print_table(table, ["segmentation", "step", "per_s_wall", "per_s_cpu"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"quality": quality, "throughput": speed}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
