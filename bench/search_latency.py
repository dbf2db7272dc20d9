"""Search latency (p50/p95/p99 ms) and memory (RSS MiB) at 50, 1,000 and 10,000 articles.

The real articles are copied under new ids with slightly varied text (a kommune name and a copy
number in the title, questions and paragraphs) until each size is reached. Per size and per
OMP_NUM_THREADS setting a fresh process loads the index and the embedder and times, per query:
  embed    the query embedding (e5 in onnxruntime)               Embedder.query
  index    FAISS search + best passage per article               ArticleIndex.search
  search   Searcher.search on a repeated question (QueryCache hit): index + BM25 + fusion
  e2e      the whole search as the bot runs it                   Searcher.search
plus one question of MAX_QUERY_CHARS (the longest a citizen can send). OMP_NUM_THREADS must be
set before faiss loads its OpenMP runtime (the e5 embedder sizes its onnxruntime thread pool
by it too), so every setting runs in its own process;
"2:passive" adds OMP_WAIT_POLICY=PASSIVE, "unset" leaves the OpenMP default (all CPUs).
With --contend N (default 2) the target size is timed again while N busy-looping processes
compete for the CPUs, as Rasa and the other services do on a small server.

Embedding 10,000 articles x ~19 passages on a CPU takes about an hour. The bench measures
the embedding throughput first; a size whose projected build time exceeds --max-build-seconds
gets the copies' vectors from the real passages' vectors plus small gaussian noise, renormalised
(a FAISS scan costs the same whatever the vectors are). The output says which sizes did.

    .venv/bin/python bench/search_latency.py                  # 50, 1000, 10000; threads 1, 2
    .venv/bin/python bench/search_latency.py --sizes 1000 --threads 1,2,2:passive,unset --json

Target: end-to-end p95 <= 25 ms at 1,000 articles. A bench: exits 0 whatever the numbers are.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

QUESTIONS = REPO / "tests" / "data" / "eval_questions.yml"
TARGET_SIZE = 1000
TARGET_P95_MS = 25.0
WARMUP = 20


# -- measuring ---------------------------------------------------------------------------------


def rss_mib() -> dict:
    """Current and peak resident set size of this process, in MiB."""
    found = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    peak = found.get("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"rss": round(found.get("VmRSS", peak), 1), "peak": round(peak, 1)}


def percentiles(samples_s: list[float]) -> dict:
    import numpy as np

    ms = np.asarray(samples_s) * 1000
    return {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
            "p99": float(np.percentile(ms, 99)), "mean": float(ms.mean())}


def eval_queries(n: int) -> list[str]:
    import yaml

    doc = yaml.safe_load(QUESTIONS.read_text("utf-8"))
    questions = [str(item["q"]) for item in doc["questions"]]
    return [questions[i % len(questions)] for i in range(n)]


# -- the worker: one process per (OMP setting, size) -------------------------------------------


def worker(args: argparse.Namespace) -> int:
    import numpy as np  # noqa: F401  (loads the BLAS/OpenMP runtimes before the first sample)

    rss_start = rss_mib()
    import faiss

    from knowledge import search as search_module
    from knowledge.embedder import QueryCache, embedder_for
    from knowledge.index import ArticleIndex
    from knowledge.search import Searcher, embedded_text, normalise_query
    from knowledge.settings import settings as process_settings

    settings = process_settings()
    embedder = embedder_for(settings)
    embedder.query(["varm op"])
    rss_model = rss_mib()

    folder = Path(args.index_folder)
    started = time.perf_counter()
    index = ArticleIndex.load(folder)
    kb = pickle.loads((folder / "knowledge.pickle").read_bytes())
    searcher = Searcher(kb, index, embedder, settings.threshold)
    load_seconds = time.perf_counter() - started
    rss_loaded = rss_mib()
    # The Searcher asks the index for this many articles (then adds the lexical scores).
    k_index = max(3, getattr(search_module, "CANDIDATES", 3))
    vectors = QueryCache(embedder)
    cached = Searcher(kb, index, vectors, searcher.threshold)  # every timed search is a hit

    queries = eval_queries(args.queries)
    for q in queries[:WARMUP]:
        searcher.search(q, k=3)
        cached.search(q, k=3)

    embed_t, index_t, cached_t, e2e_t, tokens = [], [], [], [], []
    token_count = getattr(getattr(embedder, "_model", None), "token_count", None)
    deadline = time.perf_counter() + args.time_budget
    for q in queries:
        if time.perf_counter() > deadline and len(e2e_t) >= 20:
            break  # a pathological setting (threads fighting for CPUs) would take forever
        text = embedded_text(normalise_query(q))   # exactly what Searcher.search embeds
        t0 = time.perf_counter()
        vector = embedder.query([text])[0]
        t1 = time.perf_counter()
        index.search(vector, k_index)
        t2 = time.perf_counter()
        vectors.query([text])  # untimed: now the cache holds it, as after a first asking
        t3 = time.perf_counter()
        cached.search(q, k=3)
        t4 = time.perf_counter()
        searcher.search(q, k=3)
        t5 = time.perf_counter()
        embed_t.append(t1 - t0)
        index_t.append(t2 - t1)
        cached_t.append(t4 - t3)
        e2e_t.append(t5 - t4)
        tokens.append(token_count(text, True) if token_count else len(text.split()))

    longest = normalise_query(" ".join(queries) * 2)  # cut to MAX_QUERY_CHARS
    long_t = []
    for _ in range(5):
        t0 = time.perf_counter()
        searcher.search(longest, k=3)
        long_t.append(time.perf_counter() - t0)

    result = {
        "size": len(kb.articles),
        "passages": len(index.passages),
        "threads": args.threads_label,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "faiss_threads": faiss.omp_get_max_threads(),
        "contenders": args.contenders,
        "queries": len(e2e_t),
        "embed": percentiles(embed_t),
        "index": percentiles(index_t),
        "search": percentiles(cached_t),
        "e2e": percentiles(e2e_t),
        "long_query": {"chars": len(longest),
                       "tokens": token_count(longest, True) if token_count else None,
                       "e2e_median_ms": sorted(long_t)[len(long_t) // 2] * 1000},
        "load_seconds": round(load_seconds, 2),
        "mem": {"start": rss_start, "model": rss_model, "loaded": rss_loaded, "end": rss_mib()},
        "tokens": tokens,
        "embed_ms": [t * 1000 for t in embed_t],
    }
    print(json.dumps(result))
    return 0


# -- the parent: builds the synthetic indices, runs the workers, prints the table --------------


def _real_vectors(kb, embedder, index_dir: Path) -> dict:
    """(is_question, text) -> vector for every passage of the real articles (from the cache)."""
    from knowledge.index import load_or_build

    index = load_or_build(kb, embedder, index_dir, log=lambda m: print("  " + m, file=sys.stderr))
    vectors = index._index.reconstruct_n(0, index._index.ntotal)  # bench: reads the raw vectors
    known = {(p.kind == "question", p.text): vectors[i] for i, p in enumerate(index.passages)}
    anchors = getattr(index, "anchors", None)  # out-of-scope examples, embedded as queries
    if anchors is not None and len(anchors) == len(getattr(kb, "out_of_scope", ())):
        known.update({(True, t): anchors[i] for i, t in enumerate(kb.out_of_scope)})
    return known


def _throughput(kb, embedder) -> dict:
    """Passages per second when building an index, for questions (query) and the rest."""
    from knowledge.index import all_passages

    passages = all_passages(kb)
    questions = [p.text + " " for p in passages if p.kind == "question"][:32]
    others = [p.text + " " for p in passages if p.kind != "question"][:32]
    rates = {}
    for name, texts, fn in (("question", questions, embedder.query),
                            ("other", others, embedder.passage)):
        if texts:
            started = time.perf_counter()
            fn(texts)
            rates[name] = len(texts) / max(time.perf_counter() - started, 1e-6)
    return rates


def synthetic_kb(kb, size: int):
    """The real articles, then copies under new ids with slightly varied text, up to `size`."""
    from knowledge.index import article_passages

    real = list(kb.articles.values())
    names = [m.name for m in kb.municipalities.values()] or ["København"]
    articles = {a.id: a for a in real[:size]}
    origin = {}  # copy id -> base article
    n = 0
    while len(articles) < size:
        base = real[n % len(real)]
        copy_no = n // len(real) + 1
        where = names[n % len(names)]
        tag = f"{where} {copy_no}"
        new_id = f"{base.id}-kopi-{copy_no}"
        paragraphs = base.paragraphs()
        copy = dataclasses.replace(
            base,
            id=new_id,
            title=f"{base.title} ({tag})",
            questions=tuple(f"{q} i {tag}" for q in base.questions),
            body="\n\n".join(f"{p} [{tag}]" for p in paragraphs),
            url=base.url.rsplit("/", 1)[0] + "/" + new_id,
            source_file=f"<synthetic copy of {base.source_file}>",
        )
        if len(article_passages(copy)) != len(article_passages(base)):
            # The tags moved a chunk boundary: vary only the first paragraph, so the copy has
            # as many passages as its original.
            body = "\n\n".join([f"{paragraphs[0]} [{tag}]", *paragraphs[1:]])
            copy = dataclasses.replace(copy, body=body)
        articles[new_id] = copy
        origin[new_id] = base
        n += 1
    return dataclasses.replace(kb, articles=articles), origin


class CachingEmbedder:
    """Embeds for real, but reuses vectors of texts already embedded (the real passages)."""

    def __init__(self, inner, known: dict):
        self.inner, self.known = inner, known
        self.backend, self.model, self.dim = inner.backend, inner.model, inner.dim

    def _embed(self, texts: list[str], is_query: bool):
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if (is_query, t) not in self.known]
        if todo:
            fn = self.inner.query if is_query else self.inner.passage
            out[todo] = fn([texts[i] for i in todo])
        for i, t in enumerate(texts):
            if (is_query, t) in self.known:
                out[i] = self.known[(is_query, t)]
        return out

    def query(self, texts):
        return self._embed(texts, True)

    def passage(self, texts):
        return self._embed(texts, False)


class PerturbingEmbedder:
    """A copy's passage gets the vector of the matching real passage + gaussian noise."""

    def __init__(self, inner, known: dict, source: dict, sigma: float, seed: int = 7):
        import numpy as np

        self.inner, self.known, self.source, self.sigma = inner, known, source, sigma
        self.rng = np.random.default_rng(seed)
        self.backend, self.model, self.dim = inner.backend, inner.model, inner.dim

    def _embed(self, texts: list[str], is_query: bool):
        import numpy as np

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        noisy = np.zeros(len(texts), dtype=bool)
        for i, t in enumerate(texts):
            if (is_query, t) in self.known:
                out[i] = self.known[(is_query, t)]
            elif (is_query, t) in self.source:
                out[i] = self.known[self.source[(is_query, t)]]
                noisy[i] = True
            else:  # neither a real passage nor a copy of one: embed it for real
                out[i] = (self.inner.query if is_query else self.inner.passage)([t])[0]
        if noisy.any():
            block = out[noisy] + self.rng.normal(0, self.sigma, (int(noisy.sum()), self.dim))
            out[noisy] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out

    def query(self, texts):
        return self._embed(texts, True)

    def passage(self, texts):
        return self._embed(texts, False)


def _sources(origin: dict, kb) -> dict:
    """(is_question, copy text) -> (is_question, base text), matched by kind and position."""
    from knowledge.index import article_passages

    source = {}
    for copy_id, base in origin.items():
        base_by_kind: dict[str, list] = {}
        for p in article_passages(base):
            base_by_kind.setdefault(p.kind, []).append(p)
        seen: dict[str, int] = {}
        for p in article_passages(kb.articles[copy_id]):
            j = seen.get(p.kind, 0)
            seen[p.kind] = j + 1
            candidates = base_by_kind[p.kind]
            b = candidates[min(j, len(candidates) - 1)]
            source[(p.kind == "question", p.text)] = (b.kind == "question", b.text)
    return source


def build_indices(sizes: list[int], workdir: Path, max_build_seconds: float,
                  sigma: float) -> dict:
    import numpy as np

    from knowledge.embedder import embedder_for
    from knowledge.index import ArticleIndex, all_passages
    from knowledge.loader import load_or_raise
    from knowledge.settings import settings as process_settings

    settings = process_settings()
    kb = load_or_raise(settings.knowledge_dir, public_url=settings.public_url)
    embedder = embedder_for(settings)
    print(f"real knowledge base: {len(kb.articles)} articles ({settings.knowledge_dir})",
          file=sys.stderr)
    known = _real_vectors(kb, embedder, settings.index_dir)
    rates = _throughput(kb, embedder)
    info = {"real_articles": len(kb.articles), "throughput": rates, "sizes": {}}
    print("embedding throughput (index build, OMP default): "
          + ", ".join(f"{k} {v:.1f} passages/s" for k, v in rates.items()), file=sys.stderr)

    for size in sizes:
        skb, origin = synthetic_kb(kb, size)
        passages = all_passages(skb)
        new_q = sum(1 for p in passages if p.kind == "question" and (True, p.text) not in known)
        new_o = sum(1 for p in passages if p.kind != "question" and (False, p.text) not in known)
        projected = new_q / rates.get("question", 1) + new_o / rates.get("other", 1)
        started = time.perf_counter()
        if projected <= max_build_seconds:
            mode = f"embedded ({projected:.0f} s projected)"
            emb = CachingEmbedder(embedder, known)
        else:
            mode = (f"perturbed vectors, sigma {sigma} (embedding would take ~"
                    f"{projected / 60:.0f} min)")
            emb = PerturbingEmbedder(embedder, known, _sources(origin, skb), sigma)
        print(f"building {size} articles, {len(passages)} passages: {mode}", file=sys.stderr)
        index = ArticleIndex.build(skb, emb)
        folder = index.save(workdir / str(size), skb)
        build_seconds = time.perf_counter() - started
        cos = None
        if isinstance(emb, PerturbingEmbedder) and origin:
            vectors = index._index.reconstruct_n(0, index._index.ntotal)
            sims = []
            for i, p in enumerate(index.passages[:5000]):
                key = (p.kind == "question", p.text)
                if key in emb.source:
                    sims.append(float(vectors[i] @ known[emb.source[key]]))
            cos = round(float(np.mean(sims)), 3) if sims else None
        info["sizes"][size] = {
            "folder": str(folder), "passages": len(passages), "mode": mode,
            "build_seconds": round(build_seconds, 1), "copy_cosine": cos,
            "index_mib": round((folder / "index.faiss").stat().st_size / 2**20, 1),
        }
    return info


def run_worker(folder: str, threads: str, queries: int, time_budget: float,
               contenders: int = 0) -> dict:
    env = dict(os.environ)
    count, _, policy = threads.partition(":")
    if count == "unset":
        env.pop("OMP_NUM_THREADS", None)
    else:
        env["OMP_NUM_THREADS"] = count
    if policy:
        env["OMP_WAIT_POLICY"] = policy.upper()
    else:
        env.pop("OMP_WAIT_POLICY", None)
    cmd = [sys.executable, __file__, "--worker", "--index-folder", folder,
           "--queries", str(queries), "--threads-label", threads,
           "--time-budget", str(time_budget),
           "--contenders", str(contenders)]
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(contenders)]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    if done.returncode != 0:
        raise RuntimeError(f"worker failed ({threads} threads, {folder}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _token_effect(run: dict) -> str:
    import numpy as np

    tokens = np.asarray(run["tokens"], dtype=float)
    ms = np.asarray(run["embed_ms"])
    if tokens.std() == 0:
        return ""
    slope, intercept = np.polyfit(tokens, ms, 1)
    median = np.median(tokens)
    short, long_ = ms[tokens <= median], ms[tokens > median]
    return (f"embed ms ~ {intercept:.1f} + {slope:.2f}/token (eval queries {int(tokens.min())}-"
            f"{int(tokens.max())} tokens); p50 {np.median(short):.1f} ms at <= {median:.0f} "
            f"tokens, {np.median(long_):.1f} ms above")


def _trio(m: dict) -> str:
    return f"{m['p50']:.1f}/{m['p95']:.1f}/{m['p99']:.1f}"


def print_table(runs: list[dict]) -> None:
    head = (f"{'articles':>8} {'OMP':>9} {'n':>4} | {'embed p50/p95/p99':>18} | {'index':>14} | "
            f"{'search w/o embed':>16} | {'e2e p50/p95/p99':>18} | {'RSS MiB':>7} {'peak':>5}")
    print(head)
    print("-" * len(head))
    for r in runs:
        mem = r["mem"]
        print(f"{r['size']:>8} {r['threads']:>9} {r['queries']:>4} | {_trio(r['embed']):>18} | "
              f"{_trio(r['index']):>14} | {_trio(r['search']):>16} | {_trio(r['e2e']):>18} | "
              f"{mem['loaded']['rss']:>7.0f} {mem['end']['peak']:>5.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,1000,10000",
                        help="article counts (default %(default)s)")
    parser.add_argument("--threads", default="1,2",
                        help="OMP settings: N, N:passive, unset (default %(default)s)")
    parser.add_argument("--contend", type=int, default=2,
                        help="busy processes while timing the target size again (0: skip)")
    parser.add_argument("--contend-threads", default="1,2,2:passive",
                        help="OMP settings for the contended runs (default %(default)s)")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per run")
    parser.add_argument("--time-budget", type=float, default=90,
                        help="stop a run's timed loop after this many s (default %(default)s)")
    parser.add_argument("--max-build-seconds", type=float, default=180,
                        help="embed a size for real only if that is projected to take less")
    parser.add_argument("--sigma", type=float, default=0.01,
                        help="per-dimension noise of perturbed copy vectors")
    parser.add_argument("--json", action="store_true", help="print a machine-readable summary")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index-folder", help=argparse.SUPPRESS)
    parser.add_argument("--threads-label", default="unset", help=argparse.SUPPRESS)
    parser.add_argument("--contenders", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    if args.worker:
        return worker(args)

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    threads = [t.strip() for t in args.threads.split(",") if t.strip()]
    contend_threads = [t.strip() for t in args.contend_threads.split(",") if t.strip()]
    contend_size = TARGET_SIZE if TARGET_SIZE in sizes else sizes[0]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rettighedsbot-bench-") as tmp:
        info = build_indices(sizes, Path(tmp), args.max_build_seconds, args.sigma)
        runs, contended = [], []
        for size in sizes:
            for t in threads:
                print(f"timing {size} articles, OMP {t} ...", file=sys.stderr)
                runs.append(run_worker(info["sizes"][size]["folder"], t, args.queries,
                                       args.time_budget))
        if args.contend:
            for t in contend_threads:
                print(f"timing {contend_size} articles, OMP {t}, {args.contend} busy processes "
                      "...", file=sys.stderr)
                contended.append(run_worker(info["sizes"][contend_size]["folder"], t,
                                            args.queries, args.time_budget,
                                            contenders=args.contend))
    load_after = os.getloadavg()

    target = {r["threads"]: r["e2e"]["p95"] <= TARGET_P95_MS
              for r in runs if r["size"] == TARGET_SIZE}
    if args.json:
        for r in runs + contended:
            r.pop("embed_ms")
            r.pop("tokens")
        print(json.dumps({"build": info, "runs": runs, "contended": contended,
                          "target_p95_ms": TARGET_P95_MS, "target_met": target,
                          "cpus": os.cpu_count(), "loadavg": [load_before[0], load_after[0]]},
                         indent=2))
        return 0

    print(f"search latency: {info['real_articles']} real articles, up to {args.queries} queries "
          f"(n) per run, {args.time_budget:.0f} s at most, after {WARMUP} warm-up; "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} -> {load_after[0]:.2f} "
          "(other work on the machine skews times)")
    rates = ", ".join(f"{k} {v:.1f}/s" for k, v in info["throughput"].items())
    print(f"index build throughput (passages embedded per second): {rates}")
    for size in sizes:
        s = info["sizes"][size]
        extra = f", copy/original cosine {s['copy_cosine']}" if s["copy_cosine"] else ""
        print(f"  {size:>6} articles: {s['passages']} passages, {s['mode']}, built in "
              f"{s['build_seconds']} s, index file {s['index_mib']} MiB{extra}")
    print()
    print_table(runs)
    print("(ms. index = ArticleIndex.search: FAISS + best passage per article; search w/o embed ="
          "\n Searcher.search with the vector cached; e2e = Searcher.search. RSS after loading "
          "the\n embedder + index + Searcher; peak over the run)")
    if contended:
        print(f"\nwith {args.contend} busy processes competing for the {os.cpu_count()} CPUs:")
        print_table(contended)

    print()
    if not target:
        print(f"target e2e p95 <= {TARGET_P95_MS:.0f} ms at {TARGET_SIZE} articles: not measured")
    for r in runs + contended:
        if r["size"] != TARGET_SIZE:
            continue
        ok = "MET" if r["e2e"]["p95"] <= TARGET_P95_MS else "NOT MET"
        share = r["embed"]["p50"] / r["e2e"]["p50"] if r["e2e"]["p50"] else 0
        busy = f", {r['contenders']} busy" if r["contenders"] else ""
        print(f"target e2e p95 <= {TARGET_P95_MS:.0f} ms at {TARGET_SIZE} articles, "
              f"OMP {r['threads']}{busy}: {r['e2e']['p95']:.1f} ms  {ok}  "
              f"(embedding = {share:.0%} of the median)")
    for r in runs:
        if r["size"] == contend_size:
            effect = _token_effect(r)
            lq = r["long_query"]
            print(f"query length, OMP {r['threads']}: {effect}; a {lq['chars']}-char question "
                  f"({lq['tokens']} tokens): e2e {lq['e2e_median_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
