"""The craftsman pool as numpy/scipy tables, and scoring of problems against it.

Every feature except distance is linear in a sparse "feature vector" of the problem, so the text, tag,
category and industry parts of the score of a block of problems against all craftsmen are ONE sparse product
(problems × features) · (features × craftsmen). Distance, eligibility (service radius, cross-region,
availability, capacity) and the craftsman's static part (honours, rating, load) depend only on the problem's
county and mode, so they are precomputed per (county, mode) as one dense row over craftsmen and gathered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .catalogue import CATEGORIES
from .config import DEFAULT_CONFIG, MatchingConfig
from .issues import Issue
from .messages import Message
from .model import Craftsman, Geography, Problem
from .relevance import RelevanceIndex
from .text import segment_many

INELIGIBLE = np.float32(-np.inf)
LOWEST_ALLOWED = np.finfo(np.float32).min  # every allowed score is ≥ this, every ineligible one below
MODE_LOCAL, MODE_CROSS, MODE_ONLINE = 0, 1, 2


def _issue(code: str, *, problem=None, craftsman=None, **params) -> Issue:
    return Issue(code=code, message=Message(f"issue.{code}", params), problem=problem, craftsman=craftsman)


def _division(code: str) -> str:
    return code[:3]  # GB/T 4754: letter + two digits = 大类 (division)


@dataclass
class PreparedProblems:
    """Problems turned into arrays for scoring and solving (row order = input order)."""

    problems: list[Problem]
    ids: list
    tokens: list[list[str]]
    query: sp.csr_matrix  # weighted feature vector (text, tags, category, industry)
    tag_query: sp.csr_matrix  # binary required tags (for the hard tag rule)
    tag_need: np.ndarray  # tags a craftsman must hold (min(min_tag_overlap, #known tags))
    geo_row: np.ndarray  # row of pool.geo_table, −1 when the problem cannot be scored
    county: np.ndarray  # county index, −1 unknown
    demand: np.ndarray
    slot_bonus: np.ndarray
    priority: np.ndarray  # mountain / island county
    valid: np.ndarray
    issues: list[Issue]


@dataclass
class CandidateSet:
    """Sparse (problem, craftsman, score) triples, problems in input order, best first within a problem."""

    problem: np.ndarray
    craftsman: np.ndarray
    score: np.ndarray
    seconds: float = 0.0


class CraftsmanPool:
    def __init__(
        self, craftsmen: list[Craftsman], geography: Geography, config: MatchingConfig = DEFAULT_CONFIG
    ):
        self.config = config
        self.geography = geography
        self.craftsmen = list(craftsmen)
        self.ids = [c.id for c in self.craftsmen]
        self.position: dict[object, int] = {}
        self.issues: list[Issue] = []
        n = len(self.craftsmen)
        valid = np.ones(n, bool)
        for j, c in enumerate(self.craftsmen):
            if c.id in self.position:
                self.issues.append(
                    _issue("duplicate_id", craftsman=c.id, kind=Message("kind.craftsman"), id=c.id)
                )
                valid[j] = False
                continue
            self.position[c.id] = j
        self.county = geography.code_index([c.county for c in self.craftsmen])
        for j in np.flatnonzero(self.county < 0).tolist():
            c = self.craftsmen[j]
            self.issues.append(
                _issue(
                    "unknown_county", craftsman=c.id, kind=Message("kind.craftsman"), id=c.id, county=c.county
                )
            )
            valid[j] = False
        self.max_load = np.array([c.max_load for c in self.craftsmen], np.int64)
        self.min_load = np.array([c.min_load for c in self.craftsmen], np.int64)
        self.current_load = np.array([max(0, c.current_load) for c in self.craftsmen], np.int64)
        for j in np.flatnonzero(self.max_load < 0).tolist():
            c = self.craftsmen[j]
            self.issues.append(_issue("negative_capacity", craftsman=c.id, id=c.id, value=c.max_load))
            valid[j] = False
        for j in np.flatnonzero(self.min_load > np.maximum(self.max_load, 0)).tolist():
            c = self.craftsmen[j]
            self.issues.append(
                _issue("min_above_max", craftsman=c.id, id=c.id, min_load=c.min_load, max_load=c.max_load)
            )
        for j in np.flatnonzero(self.current_load > np.maximum(self.max_load, 0)).tolist():
            c = self.craftsmen[j]
            self.issues.append(
                _issue("current_over_max", craftsman=c.id, id=c.id, load=c.current_load, max_load=c.max_load)
            )
        self.valid = valid
        self.free = np.where(valid, np.clip(self.max_load - self.current_load, 0, None), 0)
        self.min_needed = np.minimum(np.clip(self.min_load - self.current_load, 0, None), self.free)
        self.available = np.array([c.available for c in self.craftsmen], bool) & valid
        self.radius = np.array([c.radius_km for c in self.craftsmen], np.float64)
        self.cross = np.array([c.cross_region for c in self.craftsmen], bool)
        self.tag_sets = [set(c.tags) for c in self.craftsmen]

        self.index = RelevanceIndex(
            [c.text for c in self.craftsmen], mode=config.segmentation, k1=config.bm25_k1, b=config.bm25_b
        )
        self._build_structured()

    # ------------------------------------------------------------------ tables
    def _build_structured(self) -> None:
        config, n = self.config, len(self.craftsmen)
        self.tag_vocab = {tag: k for k, tag in enumerate(sorted({t for c in self.craftsmen for t in c.tags}))}
        self.category_vocab = {cat: k for k, cat in enumerate(CATEGORIES)}
        codes = sorted({code for c in self.craftsmen for code in c.industries})
        self.industry_vocab = {code: k for k, code in enumerate(codes)}
        self.division_vocab = {d: k for k, d in enumerate(sorted({_division(code) for code in codes}))}

        def incidence(vocab, items_of) -> sp.csr_matrix:
            rows, cols = [], []
            for j, c in enumerate(self.craftsmen):
                for item in set(items_of(c)):
                    if item in vocab:
                        rows.append(vocab[item])
                        cols.append(j)
            data = np.ones(len(rows), np.float32)
            return sp.csr_matrix((data, (rows, cols)), shape=(len(vocab), n), dtype=np.float32)

        self.tag_matrix = incidence(self.tag_vocab, lambda c: c.tags)
        self.tag_dense = self.tag_matrix.toarray().astype(np.float32)  # tags × craftsmen, small
        blocks = [
            self.index.matrix,
            self.tag_matrix,
            incidence(self.category_vocab, lambda c: c.categories),
            incidence(self.industry_vocab, lambda c: c.industries),
            incidence(self.division_vocab, lambda c: [_division(code) for code in c.industries]),
        ]
        self.offsets = np.cumsum([0] + [b.shape[0] for b in blocks])
        if n:
            self.feature_matrix = sp.vstack(blocks, format="csr", dtype=np.float32)
        else:  # scipy drops empty blocks when stacking; keep the feature rows for the offsets
            self.feature_matrix = sp.csr_matrix((int(self.offsets[-1]), 0), dtype=np.float32)

        honour = np.array([config.honour_level(c.honours) for c in self.craftsmen], np.float64)
        rating = np.array(
            [0.5 if c.rating is None else (np.clip(c.rating, 1, 5) - 1) / 4 for c in self.craftsmen]
        )
        free_share = np.divide(self.free, np.maximum(self.max_load, 1)).astype(np.float64)
        self.static_score = (
            config.weight_honours * honour + config.weight_rating * rating + config.weight_load * free_share
        )
        self.honour = honour

        # Geo rows: for each county, a local row and a cross-region row; one online row at the end.
        n_counties = len(self.geography)
        usable = self.available & (self.free > 0)
        distance = self.craftsman_distance_matrix()  # (n_counties, n)
        closeness = np.exp(-distance / config.distance_scale_km)
        in_radius = distance <= self.radius[None, :]
        base = (config.weight_distance * closeness + self.static_score[None, :]).astype(np.float32)
        local = np.where(in_radius & usable[None, :], base, INELIGIBLE)
        cross = np.where((in_radius | self.cross[None, :]) & usable[None, :], base, INELIGIBLE)
        online = np.where(usable, np.float32(config.weight_distance) + self.static_score, INELIGIBLE).astype(
            np.float32
        )
        self.geo_table = (
            np.vstack([local, cross, online[None, :]]).astype(np.float32)
            if n
            else np.zeros((2 * n_counties + 1, 0), np.float32)
        )
        self.distance_by_county = distance.astype(np.float32)
        self.usable = usable

    def craftsman_distance_matrix(self) -> np.ndarray:
        """Distance from every county to every craftsman's home county (km)."""
        n_counties = len(self.geography)
        county = np.where(self.county >= 0, self.county, 0)
        distance = self.geography.distance_km[:, county] if len(self.craftsmen) else np.zeros((n_counties, 0))
        same = np.arange(n_counties)[:, None] == county[None, :]
        distance = np.where(same, self.config.same_county_km, distance)
        return np.where(self.county[None, :] >= 0, distance, np.inf)

    # ------------------------------------------------------------------ problems
    def prepare(self, problems: list[Problem]) -> PreparedProblems:
        config = self.config
        ids = [p.id for p in problems]
        issues: list[Issue] = []
        valid = np.ones(len(problems), bool)
        seen = set()
        for i, p in enumerate(problems):
            if p.id in seen:
                issues.append(_issue("duplicate_id", problem=p.id, kind=Message("kind.problem"), id=p.id))
                valid[i] = False
            seen.add(p.id)
            if p.demand < 1:
                issues.append(_issue("bad_demand", problem=p.id, id=p.id, value=p.demand))
                valid[i] = False
        county = self.geography.code_index([p.county for p in problems])
        for i in np.flatnonzero(county < 0).tolist():
            p = problems[i]
            issues.append(
                _issue("unknown_county", problem=p.id, kind=Message("kind.problem"), id=p.id, county=p.county)
            )
            valid[i] = False
        valid &= county >= 0

        tokens = segment_many([p.text for p in problems], self.index.mode)
        text_part = self.index.query_matrix(tokens, weight=config.weight_text)
        rows, cols, vals, bin_rows, bin_cols = [], [], [], [], []
        tag_need = np.zeros(len(problems), np.int64)
        base_tags = self.offsets[1]
        for i, p in enumerate(problems):
            known = sorted({self.tag_vocab[t] for t in p.tags if t in self.tag_vocab})
            if p.tags:
                for k in known:
                    rows.append(i)
                    cols.append(base_tags + k)
                    vals.append(config.weight_tags / len(set(p.tags)))
                    bin_rows.append(i)
                    bin_cols.append(k)
                tag_need[i] = min(config.min_tag_overlap, len(set(p.tags)))
            if p.category in self.category_vocab:
                rows.append(i)
                cols.append(self.offsets[2] + self.category_vocab[p.category])
                vals.append(config.weight_category)
            if p.industry in self.industry_vocab:
                rows.append(i)
                cols.append(self.offsets[3] + self.industry_vocab[p.industry])
                vals.append(config.weight_industry / 2)
            if p.industry and _division(p.industry) in self.division_vocab:
                rows.append(i)
                cols.append(self.offsets[4] + self.division_vocab[_division(p.industry)])
                vals.append(config.weight_industry / 2)
        n_features = self.feature_matrix.shape[0]
        structured = sp.csr_matrix((vals, (rows, cols)), shape=(len(problems), n_features), dtype=np.float32)
        text_full = sp.hstack(
            [text_part, sp.csr_matrix((len(problems), n_features - text_part.shape[1]))], format="csr"
        )
        query = (text_full + structured).astype(np.float32).tocsr()
        tag_query = sp.csr_matrix(
            (np.ones(len(bin_rows), np.float32), (bin_rows, bin_cols)),
            shape=(len(problems), len(self.tag_vocab)),
        )

        n_counties = len(self.geography)
        mode = np.array(
            [MODE_ONLINE if p.online else (MODE_CROSS if p.cross_region else MODE_LOCAL) for p in problems]
        )
        geo_row = np.where(
            mode == MODE_ONLINE, 2 * n_counties, np.where(mode == MODE_CROSS, n_counties, 0) + county
        )
        geo_row = np.where(valid, geo_row, -1)

        priority = np.where(county >= 0, self.geography.priority_flag[np.clip(county, 0, None)], False)
        urgency = np.clip(np.array([p.urgency for p in problems], np.float64), 1, 3)
        slot_bonus = config.staffing_bonus * np.where(priority, config.priority_mountain_island, 1.0)
        slot_bonus = slot_bonus * (1 + config.urgency_factor * (urgency - 1))
        demand = np.where(valid, np.array([max(p.demand, 0) for p in problems], np.int64), 0)
        return PreparedProblems(
            problems=list(problems),
            ids=ids,
            tokens=tokens,
            query=query,
            tag_query=tag_query,
            tag_need=tag_need,
            geo_row=geo_row,
            county=county,
            demand=demand,
            slot_bonus=slot_bonus,
            priority=priority,
            valid=valid,
            issues=issues,
        )

    def score_rows(
        self, prepared: PreparedProblems, rows: np.ndarray, columns: np.ndarray | None = None
    ) -> np.ndarray:
        """Dense scores (len(rows) × craftsmen, or × `columns` when given), −inf where the pair is not allowed."""
        return self._score_rows(prepared, np.asarray(rows, np.int64), self._column_tables(columns))

    def _column_tables(self, columns: np.ndarray | None):
        if columns is None:
            return None, self.feature_matrix, self.tag_dense
        return columns, self._feature_columns(columns), self.tag_dense[:, columns]

    def _score_rows(
        self, prepared: PreparedProblems, rows: np.ndarray, tables, tag_rule_met: bool = False
    ) -> np.ndarray:
        """`tag_rule_met`: the caller knows every column holds a tag each row needs (a tag group whose rows
        need one tag), so the tag-overlap check can be skipped."""
        columns, features, tag_table = tables
        if len(self.craftsmen) == 0:
            return np.zeros((rows.size, 0), np.float32)
        dense = np.asarray((prepared.query[rows] @ features).toarray(), np.float32)
        geo = prepared.geo_row[rows]
        order = np.argsort(geo, kind="stable")
        if (order != np.arange(rows.size)).any():  # unsorted input: score sorted, then restore the order
            back = np.empty_like(order)
            back[order] = np.arange(order.size)
            return self._score_rows(prepared, rows[order], tables, tag_rule_met)[back]
        cuts = np.flatnonzero(np.diff(geo)) + 1
        for start, stop in zip(np.r_[0, cuts].tolist(), np.r_[cuts, rows.size].tolist(), strict=True):
            g = geo[start]
            if g < 0:
                dense[start:stop] = INELIGIBLE
            else:
                geo_row = self.geo_table[g] if columns is None else self.geo_table[g, columns]
                dense[start:stop] += geo_row  # broadcast one row over a run of the same county/mode
        need = prepared.tag_need[rows]
        if need.any() and not tag_rule_met:
            overlap = prepared.tag_query[rows] @ tag_table  # sparse × small dense: fast
            np.copyto(dense, INELIGIBLE, where=np.asarray(overlap) < need[:, None])
        return dense

    def _tag_group_tables(self, key: tuple) -> tuple:
        """Feature and tag tables restricted to the holders of a tag, kept for the pool's life (they depend
        only on the pool): one problem filed while staff wait then costs no column extraction."""
        cache = self.__dict__.setdefault("_group_tables", {})
        if key not in cache:
            columns = np.flatnonzero(self.tag_dense[list(key)].any(axis=0))
            cache[key] = self._column_tables(columns)
        return cache[key]

    def _feature_columns(self, columns: np.ndarray) -> sp.csr_matrix:
        """The feature matrix restricted to some craftsmen (CSC copy makes column selection cheap)."""
        if not hasattr(self, "_feature_csc"):
            self._feature_csc = self.feature_matrix.tocsc()
        return self._feature_csc[:, columns].tocsr()

    def _blocks(
        self, prepared: PreparedProblems, block_size: int
    ) -> tuple[list[tuple[np.ndarray, tuple]], np.ndarray]:
        """Problems grouped by required tag, each group scored against that tag's holders only.

        The hard tag rule allows only craftsmen holding ≥ `tag_need` of a problem's tags, so:
        * one known tag, or every known tag needed: the holders of (the first) one tag are a superset;
        * several tags of which one suffices (the default rule): the problem joins the group of EACH of its
          tags and the groups' best pairs are merged afterwards (`split` marks those rows), instead of scoring
          it against everybody (multi-tag problems were ~13 % of rows but ~75 % of the dense work);
        * anything else (no tag rule, or 2 ≤ need < #tags): scored against everybody.
        Returns the blocks and the boolean `split` mask over rows.
        """
        groups: dict[tuple | None, list[int]] = {}
        split = np.zeros(len(prepared.ids), bool)
        query = prepared.tag_query
        for row in range(len(prepared.ids)):
            need = int(prepared.tag_need[row])
            if need <= 0:
                groups.setdefault(None, []).append(row)
                continue
            tags = tuple(query.indices[query.indptr[row] : query.indptr[row + 1]].tolist())
            if len(tags) <= 1:
                groups.setdefault(tags, []).append(row)  # () = tags nobody holds: no candidate
            elif need >= len(tags):
                groups.setdefault(tags[:1], []).append(row)
            elif need == 1:
                split[row] = True
                for tag in tags:
                    groups.setdefault((tag,), []).append(row)
            else:
                groups.setdefault(None, []).append(row)
        blocks = []
        for key, members in groups.items():
            if key == ():
                continue  # tags nobody holds: no candidate at all
            tables = self._column_tables(None) if key is None else self._tag_group_tables(key)
            members_arr = np.array(members, np.int64)
            members_arr = members_arr[np.argsort(prepared.geo_row[members_arr], kind="stable")]
            for start in range(0, members_arr.size, block_size):
                blocks.append((members_arr[start : start + block_size], tables))
        return blocks, split

    def candidates(
        self,
        prepared: PreparedProblems,
        *,
        top_k: int | None = None,
        forbidden: np.ndarray | None = None,
        block_size: int = 256,
        threads: int = 2,
    ) -> CandidateSet:
        """Best `top_k` allowed craftsmen per problem (all allowed ones when top_k is None or ≥ pool size).

        Problems are processed in blocks ordered by county/mode (see score_rows), on `threads` threads
        (numpy's selection and the dense work release the GIL); the output is in input order.
        """
        import time
        from concurrent.futures import ThreadPoolExecutor

        started = time.perf_counter()
        n = len(self.craftsmen)
        top_k = n if top_k is None else min(top_k, n)
        forbidden = (
            np.zeros((0, 2), np.int64)
            if forbidden is None
            else np.asarray(forbidden, np.int64).reshape(-1, 2)
        )
        forbidden_by_row: dict[int, np.ndarray] = {}
        if forbidden.size:
            order = np.argsort(forbidden[:, 0], kind="stable")
            rows_f, cols_f = forbidden[order, 0], forbidden[order, 1]
            cuts = np.flatnonzero(np.diff(rows_f)) + 1
            for chunk_rows, chunk_cols in zip(np.split(rows_f, cuts), np.split(cols_f, cuts), strict=True):
                forbidden_by_row[int(chunk_rows[0])] = chunk_cols
        blocks, split = self._blocks(prepared, block_size) if n else ([], np.zeros(0, bool))

        tag_need = prepared.tag_need

        def run(block):
            rows, tables = block
            columns = tables[0]
            # In a tag group (columns = that tag's holders) rows needing one tag meet the tag rule everywhere.
            tag_rule_met = columns is not None and int(tag_need[rows].max()) <= 1
            dense = self._score_rows(prepared, rows, tables, tag_rule_met)
            width = dense.shape[1]
            for k, row in enumerate(rows.tolist()):
                if row in forbidden_by_row:
                    banned = forbidden_by_row[row]
                    if columns is not None:
                        position = np.searchsorted(columns, banned)
                        inside = position < width
                        banned = position[inside][columns[position[inside]] == banned[inside]]
                    dense[k, banned] = INELIGIBLE
            if top_k <= 0:
                return None
            if top_k < width:
                # Per row, cut at the k-th largest value (one partition of the whole block; −inf when fewer
                # than k are allowed), then rank only the survivors: ties at the cut are all kept, so the
                # lexsort below decides them by craftsman index exactly as a full sort would.
                kth = width - top_k
                threshold = np.partition(dense, kth, axis=1)[:, kth]
                r, c = np.nonzero(dense >= np.maximum(threshold, LOWEST_ALLOWED)[:, None])
            else:
                r, c = np.nonzero(dense > INELIGIBLE)
            v = dense[r, c]
            order = np.lexsort((c, -v, r))  # per row: best first, ties by craftsman index
            r, c, v = r[order], c[order], v[order]
            rank = np.arange(r.size) - np.searchsorted(r, r, side="left")
            keep = rank < top_k
            chosen = c[keep] if columns is None else columns[c[keep]]
            return rows[r[keep]], chosen, v[keep], rank[keep]

        if threads > 1 and len(blocks) > 1:
            with ThreadPoolExecutor(threads) as executor:
                parts = [part for part in executor.map(run, blocks) if part is not None]
        else:
            parts = [part for part in map(run, blocks) if part is not None]
        if parts:
            p, c, sc, rank = (np.concatenate([part[k] for part in parts]) for k in range(4))
            if split.any():
                p, c, sc, rank = _merge_split_rows(p, c, sc, rank, split, top_k)
            # Back to input order without a sort: each pair's place is its row's offset + its rank.
            counts = np.bincount(p, minlength=len(prepared.ids))
            place = (np.cumsum(counts) - counts)[p] + rank
            out_c = np.empty(place.size, np.int64)
            out_s = np.empty(place.size, np.float64)
            out_c[place], out_s[place] = c, sc
            out_p = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
            result = CandidateSet(out_p, out_c, out_s)
        else:
            empty = np.zeros(0, np.int64)
            result = CandidateSet(empty, empty, np.zeros(0))
        result.seconds = time.perf_counter() - started
        return result

    # ------------------------------------------------------------------ explanations
    def pair_features(self, prepared: PreparedProblems, row: int, j: int) -> dict[str, float]:
        """The parts of the score of one pair (for explanations and tests)."""
        config = self.config
        p = prepared.problems[row]
        c = self.craftsmen[j]
        text = self._text_part(prepared, row, j)
        tags = set(p.tags)
        tag_share = len(tags & self.tag_sets[j]) / len(tags) if tags else 0.0
        category = 1.0 if p.category and p.category in c.categories else 0.0
        if p.industry and p.industry in c.industries:
            industry = 1.0
        elif p.industry and _division(p.industry) in {_division(code) for code in c.industries}:
            industry = 0.5
        else:
            industry = 0.0
        county = prepared.county[row]
        distance = (
            float(self.distance_by_county[county, j]) if county >= 0 and len(self.geography) else float("inf")
        )
        closeness = 1.0 if p.online else float(np.exp(-distance / config.distance_scale_km))
        return {
            "text": text / config.weight_text if config.weight_text else 0.0,
            "tags": tag_share,
            "category": category,
            "industry": industry,
            "distance_km": distance,
            "closeness": closeness,
            "honours": float(self.honour[j]),
            "rating": 0.5 if c.rating is None else (float(np.clip(c.rating, 1, 5)) - 1) / 4,
            "free_share": float(self.free[j] / max(self.max_load[j], 1)),
        }

    def pair_score(self, prepared: PreparedProblems, row: int, j: int) -> float:
        """Score of one pair by the same formula as `score_rows`, ignoring eligibility."""
        config = self.config
        f = self.pair_features(prepared, row, j)
        return (
            config.weight_text * f["text"]
            + config.weight_tags * f["tags"]
            + config.weight_category * f["category"]
            + config.weight_industry * f["industry"]
            + config.weight_distance * f["closeness"]
            + float(self.static_score[j])
        )

    def _query_terms(self, prepared: PreparedProblems, row: int) -> tuple[np.ndarray, np.ndarray]:
        q = prepared.query
        lo, hi = q.indptr[row], q.indptr[row + 1]
        ids, weights = q.indices[lo:hi], q.data[lo:hi]
        in_text = ids < self.offsets[1]
        return ids[in_text], weights[in_text]

    def _text_part(self, prepared: PreparedProblems, row: int, j: int) -> float:
        """Weighted BM25 part of one pair, read straight from the sparse arrays (fast enough per pair)."""
        ids, weights = self._query_terms(prepared, row)
        doc_ids, doc_scores = self.index.document_scores(j)
        common, in_query, in_doc = np.intersect1d(ids, doc_ids, assume_unique=True, return_indices=True)
        return float(np.dot(weights[in_query], doc_scores[in_doc]))

    def matched_term_ids(self, prepared: PreparedProblems, row: int, j: int) -> set[str]:
        ids, _ = self._query_terms(prepared, row)
        doc_ids, _ = self.index.document_scores(j)
        inverse = self.inverse_vocabulary
        return {inverse[t] for t in np.intersect1d(ids, doc_ids, assume_unique=True).tolist()}

    @property
    def inverse_vocabulary(self) -> list[str]:
        if not hasattr(self, "_inverse_vocabulary"):
            inverse = [""] * len(self.index.vocabulary)
            for token, k in self.index.vocabulary.items():
                inverse[k] = token
            self._inverse_vocabulary = inverse
        return self._inverse_vocabulary


def _merge_split_rows(p, c, sc, rank, split, top_k):
    """Rows scored in several tag groups: drop the pairs seen twice, keep the best `top_k` per row.

    Within a row, best first and ties by craftsman index, like every block's output; other rows untouched.
    """
    merged = split[p]
    mp, mc, ms = p[merged], c[merged], sc[merged]
    order = np.lexsort((mc, -ms, mp))
    mp, mc, ms = mp[order], mc[order], ms[order]
    # Same pair from two groups has the same score (scores do not depend on the group), so it is adjacent.
    fresh = np.ones(mp.size, bool)
    fresh[1:] = (mp[1:] != mp[:-1]) | (mc[1:] != mc[:-1])
    mp, mc, ms = mp[fresh], mc[fresh], ms[fresh]
    merged_rank = np.arange(mp.size) - np.searchsorted(mp, mp, side="left")
    keep = merged_rank < top_k
    rest = ~merged
    return (
        np.concatenate([p[rest], mp[keep]]),
        np.concatenate([c[rest], mc[keep]]),
        np.concatenate([sc[rest], ms[keep]]),
        np.concatenate([rank[rest], merged_rank[keep]]),
    )
