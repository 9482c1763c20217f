# %% [markdown]
# # The structure of K̂ and N for same/different (the paper's Figure 4)
#
# **What this shows.** Same/different has r = 2 templates, z₁ = `αα` (+1) and z₂ = `αβ` (−1), with
# `[CLS]` appended. Train on n strings drawn with wildcards from an alphabet of A symbols; the data
# diversity is ρ = A / 2. By token symmetry, K̂_ab = K(x_a, x_b) depends only on the equality
# pattern of the pair, so as ρ grows almost every pair of strings from templates z_i and z_j shares
# no substituted symbol and K̂_ab = N_ij exactly: K̂ becomes an r × r block matrix whose blocks are
# filled with N's entries. The exceptions (the diagonal, and pairs that happen to share a symbol)
# are drawn in black, as in the paper. We show it for the transformer kernel, the MLP kernel and
# the MLP on XXᵀ-augmented input, then watch the spectrum of K̂/n approach that of N (weighted by
# the templates' shares) and the top eigenvectors align with the templates' indicator vectors.
# The MLP's N for this task is exactly singular (every entry is κ(1)), so its second eigenvector
# cannot align.
#
# Every K̂ entry here is a `tkc kernel` value, asked once per distinct pair pattern (`tkc.gram`).

# %%
FILE = tkc.data("same_different")
checked = tkc.templates_check(FILE)
REGULAR = tkc.regular_tokens(checked)         # {'[CLS]'}: kept as is in pair patterns
W = max(z["wildcards"] for z in checked["templates"])
print(f"{checked['count']} templates:", [z["template"] for z in checked["templates"]],
      f"| most wildcards per template: {W}")

# Transformer kernel parameters (docs/mathematics.md): beta, gamma of attention, phi = cos(b1 t + b2).
TRANS = dict(beta=4.0, gamma=2.0, b1=1.0, b2=0.5, estimator="qmc", points=1024)
KERNELS = {"trans": dict(kernel="trans", **TRANS),
           "mlp": dict(kernel="mlp"),
           "mlpxx": dict(kernel="mlpxx")}
LABEL = {"trans": "transformer", "mlp": "MLP", "mlpxx": "MLP on XXᵀ-augmented input"}
caches = {name: {} for name in KERNELS}        # pattern -> (value, se), per kernel

N = {}
for name, opts in KERNELS.items():
    out = tkc.nmatrix(FILE, **opts)
    N[name] = out
    print(f"{LABEL[name]:>28}: N = {np.array2string(out['N'], precision=5)}, "
          f"singular values {np.array2string(out['singular_values'], precision=3)}, "
          f"verdict {out['verdict']}")

# %%
def sample(n, alphabet, seed):
    """n training strings (token lists) sorted by template, and their template index."""
    out = tkc.templates_sample(FILE, n, alphabet, seed=seed)["samples"]
    lines = sorted({s["line"] for s in out} | {z["line"] for z in checked["templates"]})
    which = [lines.index(s["line"]) for s in out]
    order = np.argsort(which, kind="stable")
    return [out[i]["tokens"] for i in order], np.array(which)[order]

def exceptions(xs):
    """Pairs whose K-hat entry is not an N entry: the diagonal, and strings sharing a symbol."""
    sets = [set(x) - REGULAR for x in xs]
    return np.array([[a == b or bool(sa & sb) for b, sb in enumerate(sets)]
                     for a, sa in enumerate(sets)])

# %%
N_SHOW = 24 if QUICK else 48
RHOS_SHOW = [1, 4, 64]
fig, axes = plt.subplots(len(KERNELS), len(RHOS_SHOW), figsize=(3.6 * len(RHOS_SHOW) + 1, 3.4 * len(KERNELS)),
                         constrained_layout=True)
for row, (name, opts) in enumerate(KERNELS.items()):
    n_vals = N[name]["N"]
    lo, hi = n_vals.min(), n_vals.max()
    pad = 0.1 * max(hi - lo, 0.05 * abs(hi))   # N's entries sit inside the colour range
    cmap = plt.get_cmap("viridis").copy(); cmap.set_bad("black")
    for col, rho in enumerate(RHOS_SHOW):
        xs, which = sample(N_SHOW, W * rho, seed=1)
        K, _, _ = tkc.gram(xs, keep=REGULAR, cache=caches[name], **opts)
        exc = exceptions(xs)
        ax = axes[row, col]
        ax.grid(False)
        im = ax.imshow(np.ma.masked_array(K, exc), cmap=cmap, vmin=lo - pad, vmax=hi + pad,
                       interpolation="nearest")
        split = np.searchsorted(which, 1) - 0.5
        ax.axhline(split, color="w", lw=0.8); ax.axvline(split, color="w", lw=0.8)
        ax.set_title(f"{LABEL[name]}\nρ = {rho} (A = {W * rho}): {exc.mean():.0%} exceptions",
                     fontsize="small")
        ax.set_xlabel("training string b (sorted: αα, then αβ)")
        ax.set_ylabel("training string a")
    fig.colorbar(im, ax=axes[row, :], label=f"K̂_ab, {name} kernel", shrink=0.9)
fig.suptitle(f"K̂ for same/different, n = {N_SHOW}: blocks of N emerge as ρ grows "
             "(black: diagonal and pairs sharing a symbol)")
save(fig, "structure_same_different")

# %% [markdown]
# ## The spectrum of K̂/n, and the top eigenvectors
#
# When no two strings share a symbol, K̂ becomes K* = the block matrix of N's entries with K̂'s own
# diagonal K(x_a, x_a). The indicator vectors of the templates span an invariant subspace of K*,
# and its eigenvalues there are those of P^{1/2} N P^{1/2} (P = diag of the templates' shares) plus
# the diagonal's excess over N divided by n. So when N is nonsingular, K*'s top r eigenvectors are
# exactly the span of the indicators. The shared-symbol exceptions perturb this, less as ρ grows.
# Left: the top two eigenvalues of K̂/n as ratios to those of K*/n. Right: the distance of K̂'s
# top-2 eigenspace from the span of the indicators (sine of the largest principal angle).
# Mean and standard error over seeds, n fixed.

# %%
N_SPEC = 100 if QUICK else 400
SEEDS = range(1, 3 if QUICK else 6)
RHOS = [1, 8, 64, 512] if QUICK else [2 ** e for e in range(0, 13)]

def spectrum_stats(name, rho, seed):
    xs, which = sample(N_SPEC, W * rho, seed)
    K, _, _ = tkc.gram(xs, keep=REGULAR, cache=caches[name], **KERNELS[name])
    ideal = N[name]["N"][np.ix_(which, which)]
    np.fill_diagonal(ideal, np.diag(K))
    lam, vec = np.linalg.eigh(K / len(xs))
    lam, vec = lam[::-1], vec[:, ::-1]
    lam_ideal = np.linalg.eigvalsh(ideal / len(xs))[::-1]
    ind = np.stack([(which == i) / np.sqrt(max((which == i).sum(), 1)) for i in range(2)], 1)
    resid = vec[:, :2] - ind @ (ind.T @ vec[:, :2])
    return lam[:2] / lam_ideal[:2], np.linalg.norm(resid, 2), exceptions(xs).mean()

stats = {}
for name in KERNELS:
    for rho in RHOS:
        stats[name, rho] = [spectrum_stats(name, rho, s) for s in SEEDS]
    print(f"{name}: {len(caches[name])} distinct pair patterns in all")
for rho in RHOS:
    print(f"rho = {rho:5d}: {np.mean([r[2] for r in stats['trans', rho]]):.2%} of K-hat's entries are exceptions")

def mean_se(a):
    a = np.asarray(a, dtype=float)
    return a.mean(1), a.std(1, ddof=1) / np.sqrt(a.shape[1])

fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
for c, name in enumerate(KERNELS):
    runs = [stats[name, rho] for rho in RHOS]
    for k, style in ((0, "o-"), (1, "s--")):
        m, e = mean_se([[r[0][k] for r in rr] for rr in runs])
        axes[0].errorbar(RHOS, m, yerr=e, fmt=style, color=f"C{c}", capsize=2,
                         label=f"{LABEL[name]}: λ{'₁₂'[k]}")
    m, e = mean_se([[r[1] for r in rr] for rr in runs])
    singular = N[name]["verdict"] == "singular"
    axes[1].errorbar(RHOS, m, yerr=e, fmt="o-", color=f"C{c}", capsize=2,
                     label=LABEL[name] + (" (N singular)" if singular else ""))
axes[0].axhline(1, color="gray", lw=0.8)
axes[0].set_yscale("log")
axes[0].set_ylabel("λ_k(K̂/n) ÷ λ_k(K*/n)")
axes[0].set_title("top two eigenvalues approach the block matrix's")
axes[1].set_yscale("log")
axes[1].set_ylabel("sin ∠(top-2 eigenvectors of K̂, template indicators)")
axes[1].set_title("top eigenvectors align with the templates iff N is nonsingular")
for ax in axes:
    ax.set_xscale("log", base=2)
    ax.set_xlabel("data diversity ρ = A / 2 (alphabet size A)")
    ax.legend()
fig.suptitle(f"Spectrum of K̂/n for same/different, n = {N_SPEC}, {len(SEEDS)} seeds "
             "(error bars: standard error over seeds)")
save(fig, "structure_spectrum")

# %% [markdown]
# ## What was seen
#
# (Numbers from the full run: n = 400, 5 seeds, ρ up to 4096.)
#
# - At ρ = 1 nearly 90% of K̂'s entries are exceptions and K̂ has no visible structure; by ρ = 64
#   all but a few percent (mostly the diagonal) are N's entries and K̂ is a 2 × 2 block matrix, for
#   every kernel: this is token symmetry, not a property of one architecture.
# - What differs is N. For the transformer its rows differ (N is nonsingular, though its σ_min is
#   only ~0.006), so the blocks take different values; the top two eigenvalues of K̂/n converge to
#   those of the ideal block matrix K*/n, and the top-2 eigenspace turns towards the templates'
#   indicators — slowly for the transformer (sin ∠ ≈ 0.05 at ρ = 4096), because its small σ_min
#   leaves a small gap for the exceptions to close; ten times faster for the MLP on XXᵀ (σ_min
#   ≈ 0.015, sin ∠ < 0.01).
# - For the MLP every entry of N is the same number κ(1): the four blocks are one colour, N has
#   rank one, the second eigenvalue of K̂/n comes only from the diagonal and the exceptions, and
#   the second eigenvector never aligns with the templates (sin ∠ = 1 at every ρ): on unseen
#   symbols the MLP cannot tell αα from αβ.
