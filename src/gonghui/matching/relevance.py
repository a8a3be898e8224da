"""BM25 relevance of problems to craftsmen, built with bm25s on our own Chinese segmentation.

bm25s builds the index (token × document score matrix, Lucene variant). Scoring many problems at once is the
same sum that ``BM25.get_scores`` computes, done as one sparse product (queries × vocabulary) · (vocabulary ×
craftsmen), which is what makes thousands of problems per second possible.

Scores are normalised per problem to [0, 1] by the best score any craftsman could reach on each query term
(Σ over the query's terms of that term's highest score), a quantity that depends on the query only, so the
normalisation stays linear and reproducible.
"""

from __future__ import annotations

import bm25s
import numpy as np
import scipy.sparse as sp

from .text import segment, segment_many


class RelevanceIndex:
    def __init__(self, documents: list[str], *, mode: str = "bigram", k1: float = 1.2, b: float = 0.75):
        self.mode = mode
        self.num_documents = len(documents)
        tokens = segment_many(documents, mode)
        # An empty pool or empty texts still get a valid (empty) index.
        self.retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        if self.num_documents:
            # Our own sorted vocabulary: bm25s numbers tokens in set order, which depends on the process's
            # string-hash seed, and the order of a query's terms is the order its BM25 parts are summed in,
            # so scores differed in the last float bit from one process to the next.
            vocabulary = {token: k for k, token in enumerate(sorted({t for doc in tokens for t in doc}))}
            ids = [[vocabulary[t] for t in doc] for doc in tokens]
            self.retriever.index((ids, vocabulary), show_progress=False)
            scores = self.retriever.scores
            self.vocabulary: dict[str, int] = dict(self.retriever.vocab_dict)
            self.matrix = sp.csr_matrix(
                (scores["data"].astype(np.float32), scores["indices"], scores["indptr"]),
                shape=(len(scores["indptr"]) - 1, self.num_documents),
            )
        else:
            self.vocabulary = {}
            self.matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        self.term_max = np.zeros(self.matrix.shape[0], np.float32)
        if self.matrix.nnz:
            self.term_max = self.matrix.max(axis=1).toarray().ravel().astype(np.float32)
        self._by_document = None

    def token_ids(self, tokens: list[str]) -> np.ndarray:
        ids = {self.vocabulary[t] for t in tokens if t in self.vocabulary}
        return np.fromiter(sorted(ids), np.int64, len(ids))

    def query_matrix(self, token_lists: list[list[str]], weight: float = 1.0) -> sp.csr_matrix:
        """Rows = queries over the vocabulary, weighted so that the product gives normalised BM25 × weight."""
        indptr = [0]
        indices: list[int] = []
        for tokens in token_lists:
            ids = self.token_ids(tokens)
            indices.extend(ids.tolist())
            indptr.append(len(indices))
        indices_arr = np.asarray(indices, np.int64)
        data = np.ones(indices_arr.size, np.float32)
        matrix = sp.csr_matrix(
            (data, indices_arr, np.asarray(indptr)), shape=(len(token_lists), self.matrix.shape[0])
        )
        norm = np.asarray(matrix @ self.term_max).ravel()
        scale = np.divide(weight, norm, out=np.zeros_like(norm), where=norm > 0).astype(np.float32)
        return sp.diags(scale) @ matrix

    def scores(self, texts: list[str]) -> np.ndarray:
        """Normalised BM25 scores, shape (len(texts), num_documents)."""
        queries = self.query_matrix(segment_many(texts, self.mode))
        return (queries @ self.matrix).toarray()

    def top_k(
        self, token_lists: list[list[str]], k: int = 100, *, block_size: int = 128, threads: int = 2
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Text-only retrieval: per query the `k` documents of highest positive normalised BM25 score.

        Returns parallel arrays (query row, document, score), queries in input order, best first, ties by
        document index: exactly the first k of a full sort of each row of `scores` (a test checks it).
        Blocks of queries are one sparse product each; instead of partitioning every 20k-wide row, the cut
        comes from a 1-in-8 sample of the row (its ⌈2k/8⌉-th largest value); counting the values at or above
        it proves it is not above the k-th largest (otherwise the row keeps all its positive scores), so only
        ~2k survivors per row are sorted.
        """
        from concurrent.futures import ThreadPoolExecutor

        queries = self.query_matrix(token_lists)
        width = self.num_documents
        stride = 8
        sample_rank = -(-2 * k // stride)

        def run(start: int):
            dense = np.asarray((queries[start : start + block_size] @ self.matrix).toarray(), np.float32)
            floor = np.full(dense.shape[0], np.finfo(np.float32).tiny, np.float32)  # positive scores only
            sample = dense[:, ::stride]
            if k > 0 and sample.shape[1] > sample_rank:
                cut = np.partition(sample, sample.shape[1] - sample_rank, axis=1)[:, -sample_rank]
                proven = (dense >= cut[:, None]).sum(axis=1) >= k
                floor = np.where(proven, np.maximum(cut, floor), floor)
            r, c = np.nonzero(dense >= floor[:, None])
            v = dense[r, c]
            order = np.lexsort((c, -v, r))
            r, c, v = r[order], c[order], v[order]
            keep = (np.arange(r.size) - np.searchsorted(r, r, side="left")) < k
            return r[keep] + start, c[keep], v[keep]

        starts = list(range(0, len(token_lists), block_size)) if width else []
        if threads > 1 and len(starts) > 1:
            with ThreadPoolExecutor(threads) as executor:
                parts = list(executor.map(run, starts))
        else:
            parts = [run(start) for start in starts]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))

    def raw_scores(self, text: str) -> np.ndarray:
        """bm25s's own scoring of one query (unique tokens), for checks against the batch path."""
        ids = self.token_ids(segment(text, self.mode))
        if not ids.size:
            return np.zeros(self.num_documents, np.float32)
        return self.retriever.get_scores_from_ids(ids.tolist())

    def document_scores(self, document: int) -> tuple[np.ndarray, np.ndarray]:
        """Sorted vocabulary ids present in one document and their BM25 scores (for explanations)."""
        if self._by_document is None:
            by_document = self.matrix.tocsc()
            by_document.sort_indices()
            self._by_document = by_document
        column = self._by_document
        lo, hi = column.indptr[document], column.indptr[document + 1]
        return column.indices[lo:hi], column.data[lo:hi]
