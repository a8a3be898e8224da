"""Chinese segmentation, BM25 through bm25s, and the regression against bm25s' default tokenizer."""

import bm25s
import numpy as np
import pytest

from gonghui.matching.relevance import RelevanceIndex
from gonghui.matching.synthetic import generate_instance
from gonghui.matching.text import matched_spans, segment, segment_many

CORPUS = [
    "从事注塑模具设计与修模，擅长浇口优化，解决注塑件飞边、缩痕。",
    "纺纱工艺专家，解决细纱断头、条干不匀。",
    "SMT贴片与回流焊炉温曲线调试，解决虚焊连锡。",
]
QUERY = "我公司注塑件出现飞边和缩痕"


def test_jieba_keeps_industrial_terms_whole():
    assert segment("注塑模具浇口优化", "jieba") == [
        "注塑",
        "塑模",
        "模具",
        "注塑模",
        "注塑模具",
        "浇口",
        "优化",
    ]
    assert segment("回流焊炉温曲线", "jieba") == ["回流", "回流焊", "炉温", "曲线", "炉温曲线"]


def test_bigrams_and_latin_words():
    assert segment("虚焊连锡SMT", "bigram") == ["虚焊", "焊连", "连锡", "smt"]
    assert segment("ＰＬＣ程序", "bigram") == ["plc", "程序"]  # full-width letters are normalised
    assert segment("虚焊", "jieba+bigram") == ["虚焊", "§虚焊"]


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        segment("x", "whitespace")


def test_default_bm25s_tokenizer_cannot_rank_chinese():
    """bm25s' default tokenizer turns an unspaced sentence into one token: nothing matches."""
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(CORPUS, stopwords=None, show_progress=False), show_progress=False)
    query_tokens = bm25s.tokenize([QUERY], stopwords=None, show_progress=False, return_ids=False)
    assert query_tokens == [["我公司注塑件出现飞边和缩痕"]]
    vocabulary = retriever.vocab_dict
    known = [token for token in query_tokens[0] if token in vocabulary]
    assert known == []  # the whole query is one unknown token: every craftsman scores 0


@pytest.mark.parametrize("mode", ["jieba", "bigram", "jieba+bigram"])
def test_our_segmentation_ranks_the_mould_craftsman_first(mode):
    index = RelevanceIndex(CORPUS, mode=mode)
    scores = index.scores([QUERY])[0]
    assert int(np.argmax(scores)) == 0
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0


def test_batch_scores_equal_bm25s_get_scores():
    index = RelevanceIndex(CORPUS, mode="jieba+bigram")
    raw = index.raw_scores(QUERY)
    ids = index.token_ids(segment(QUERY, "jieba+bigram"))
    normaliser = index.term_max[ids].sum()
    assert np.allclose(index.scores([QUERY])[0], raw / normaliser, atol=1e-6)
    assert np.all(index.scores([QUERY, "细纱断头"]) <= 1.0 + 1e-6)


def test_empty_corpus_and_empty_query():
    assert RelevanceIndex([], mode="bigram").scores(["注塑"]).shape == (1, 0)
    assert RelevanceIndex(CORPUS, mode="bigram").scores(["的了"]).tolist() == [[0.0, 0.0, 0.0]]


def test_matched_spans_read_as_words():
    assert matched_spans("注塑件出现飞边和缩痕", {"注塑", "塑件", "飞边", "§缩痕"}) == [
        "注塑件",
        "飞边",
        "缩痕",
    ]
    assert matched_spans("冲压件开裂 冲压件开裂起皱", {"冲压", "压件", "件开", "开裂", "裂起", "起皱"}) == [
        "冲压件开裂起皱"
    ]


def test_top_k_equals_a_full_sort_of_the_batch_scores():
    """The sampled cut of RelevanceIndex.top_k keeps exactly the first k positive scores of a full sort."""
    world = generate_instance(120, 900, seed=5)
    index = RelevanceIndex([c.text for c in world.craftsmen])
    texts = [p.text for p in world.problems] + ["注塑模具飞边", "", "与"]
    tokens = segment_many(texts, index.mode)
    full = index.scores(texts).astype(np.float32)
    for k in (1, 7, 100, 2000):
        rows, docs, scores = index.top_k(tokens, k, block_size=16, threads=2)
        expected = []
        for row in range(full.shape[0]):
            positive = np.flatnonzero(full[row] > 0)
            best = positive[np.lexsort((positive, -full[row, positive]))][:k]
            expected += [(row, int(d)) for d in best]
        assert list(zip(rows.tolist(), docs.tolist(), strict=True)) == expected
        assert np.array_equal(scores, full[rows, docs])
