# %% [markdown]
# # Is N nonsingular? σ_min across β, γ, precision and kernels
#
# **What this shows.** Lemma 3.5: kernel ridge regression generalizes to unseen symbols when the
# r × r matrix N_ij = K(sub(z_i, s), sub(z_j, s')) is nonsingular, and its bound grows with ‖N⁻¹‖ =
# 1/σ_min(N). tkc answers with a verdict — *singular (exact)*, *nonsingular* in MPFR with
# directed rounding, its words naming what the entries' radii rest on (*proved*, *99.9%
# confidence*, *estimate*), or *undecided* — never a threshold on a double determinant. Here:
#
# 1. σ_min of the transformer kernel's N over a grid of (β, γ), for same/different and majority-3,
#    with the cells shown nonsingular marked (Lemma 3.7: nonsingular for almost every β, γ);
# 2. the precision ladder: as β → 0 the transformer's N for same/different tends to a rank-one
#    matrix and σ_min falls like β⁴, down to where double-precision entries can no longer separate
#    it from zero; σ_min at 53/128/256/512 bits, LAPACK's value and the certificate's lower bound;
# 3. the MLP, the MLP on XXᵀ-augmented input and the transformer side by side on every shipped
#    template set.

# %%
TRANS = dict(kernel="trans", b1=1.0, b2=0.5, estimator="qmc")
SAMPLES = dict(points=256, replicates=8) if QUICK else dict(points=2048, replicates=16)
BETAS = np.geomspace(0.25, 8, 6 if QUICK else 11)
GAMMAS = np.geomspace(0.25, 4, 5 if QUICK else 9)
GRID_SETS = ["same_different"] if QUICK else ["same_different", "majority3"]

grid = {}
for name in GRID_SETS:
    sig = np.empty((len(GAMMAS), len(BETAS))); cert = np.zeros_like(sig, dtype=bool)
    for a, gamma in enumerate(GAMMAS):
        for b, beta in enumerate(BETAS):
            out = tkc.nmatrix(tkc.data(name), beta=beta, gamma=gamma, no_ladder=True,
                              **TRANS, **SAMPLES)
            sig[a, b], cert[a, b] = out["sigma_min"], out["verdict"] == "nonsingular"
    grid[name] = (sig, cert)
    print(f"{name}: nonsingular (99.9% confidence) at {cert.sum()} of {cert.size} grid points; "
          f"sigma_min from {sig.min():.2e} to {sig.max():.2e}")

# %%
from matplotlib.colors import LogNorm

def edges(centres):
    """Cell edges for log-spaced centres (geometric midpoints)."""
    c = np.log(centres)
    mid = (c[1:] + c[:-1]) / 2
    return np.exp(np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]]))

fig, axes = plt.subplots(1, len(GRID_SETS), figsize=(6.2 * len(GRID_SETS), 4.6), squeeze=False)
for ax, name in zip(axes[0], GRID_SETS):
    sig, cert = grid[name]
    ax.grid(False)
    im = ax.pcolormesh(edges(BETAS), edges(GAMMAS), sig, norm=LogNorm(), shading="flat",
                       cmap="magma")
    bb, gg = np.meshgrid(BETAS, GAMMAS)
    ax.plot(bb[cert], gg[cert], "o", mfc="none", mec="cyan", ms=7,
            label="nonsingular (99.9% confidence)")
    ax.plot(bb[~cert], gg[~cert], "x", color="cyan", ms=5, label="undecided")
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlabel("β (softmax inverse temperature)")
    ax.set_ylabel("γ (size of positional embeddings)")
    ax.set_title(f"{name}: σ_min(N), transformer kernel")
    fig.colorbar(im, ax=ax, label="σ_min(N) (QMC estimate)")
    ax.legend(loc="lower left", fontsize="x-small")
fig.suptitle(f"Transformer kernel, φ = cos(t + 0.5); N by randomized QMC "
             f"({SAMPLES['points']} points × {SAMPLES['replicates']} replicates)")
save(fig, "nonsingularity_sigma_min_beta_gamma")

# %% [markdown]
# ## The precision ladder
#
# Same/different, transformer kernel, γ = 1, with N's entries from the exact β-series (their
# radius is the series' truncation error, tiny at small β, plus rounding to double). For each β:
# σ_min from LAPACK in double precision, σ_min of the same matrix by MPFR at 53, 128, 256 and
# 512 bits (the ladder), and the certificate's lower bound (0 when undecided; an estimate, as
# the truncation radii are: the verdict reads *nonsingular (estimate)*). The grey line is the
# 2-norm of the entries' radii: below it no arithmetic can tell N from a singular matrix.

# %%
LADDER_BETAS = np.geomspace(0.001, 0.5, 6 if QUICK else 12)
ladder = []
for beta in LADDER_BETAS:
    out = tkc.nmatrix(tkc.data("same_different"), kernel="trans", estimator="series",
                      beta=beta, gamma=1.0, b1=1.0, b2=0.5, ladder=True)
    c = out["certificate"]
    ladder.append(dict(beta=beta, lapack=out["sigma_min"], lower=out["sigma_min_lower_bound"],
                       verdict=out["verdict"], radius=c["radius_norm"],
                       steps={s["prec"]: s["sigma_min"] for s in c["precision_ladder"]}))
    print(f"beta = {beta:.4f}: sigma_min {out['sigma_min']:.4e}, {out['verdict']}; {c['precision_ladder_trend']}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
ax = axes[0]
b = np.array([r["beta"] for r in ladder])
for n, prec in enumerate(sorted(ladder[0]["steps"])):
    ax.loglog(b, [r["steps"][prec] for r in ladder], "o-", ms=4 + 2 * (3 - n), mfc="none",
              label=f"MPFR, {prec} bits")
ax.loglog(b, [r["lapack"] for r in ladder], "k+", ms=9, label="LAPACK (double)")
low = np.array([r["lower"] for r in ladder])
ax.loglog(b[low > 0], low[low > 0], "v", color="C4", label="certificate's lower bound")
ax.loglog(b, [r["radius"] for r in ladder], "-", color="gray", lw=2, alpha=0.6,
          label="‖radii‖₂ of N's entries")
fit = np.polyfit(np.log(b[low > 0]), np.log(low[low > 0]), 1) if (low > 0).sum() > 1 else None
if fit is not None:
    ax.loglog(b, np.exp(np.polyval(fit, np.log(b))), ":", color="C4",
              label=f"fit to the bounds: σ_min ∝ β^{fit[0]:.2f}")
ax.set_xlabel("β")
ax.set_ylabel("σ_min(N)")
ax.set_title("same/different, transformer, γ = 1: σ_min → 0 as β → 0")
ax.legend(fontsize="x-small")

ax = axes[1]
for r in ladder:
    ref = r["steps"][max(r["steps"])]
    if ref <= 0:
        continue
    precs = sorted(r["steps"])
    rel = [abs(r["steps"][p] - ref) / ref + 1e-18 for p in precs[:-1]]
    ax.semilogy(precs[:-1], rel, "o-", label=f"β = {r['beta']:.3g}")
ax.set_xlabel("working precision of the SVD [bits]")
ax.set_ylabel("|σ_min(p bits) − σ_min(512 bits)| / σ_min (+1e-18)")
ax.set_title("how much the ladder moves (512 bits as reference)")
ax.legend(fontsize="x-small", ncol=2)
fig.suptitle("The precision ladder: σ_min of N computed at increasing precision")
save(fig, "nonsingularity_ladder")

# %% [markdown]
# ## MLP, MLP on XXᵀ, transformer: every shipped template set
#
# One `tkc nmatrix` per set and kernel. The MLP kernels have closed forms (evaluated in ball
# arithmetic: their verdicts are proved); the transformer's N comes from randomized QMC (in the full run with `--auto-refine`:
# more points while undecided, up to 20 s a set), its error bar the 2-norm of the
# entries' radii (at 99.9% confidence; Weyl: σ_min moves at most that much). Filled markers:
# nonsingular (proved for the MLPs, at 99.9% confidence for the transformer); open: undecided;
# ✕ on the floor: singular (exact, proved from the
# structure: two rows identical).

# %%
SETS = ["same_different", "aba_abb", "abab_aabb", "majority3", "majority5", "programming",
        "word_problem", "random", "raven", "relational_match_to_sample", "distribution_of_3"]
if QUICK:
    SETS = SETS[:6]
PARAMS = dict(beta=4.0, gamma=2.0, b1=1.0, b2=0.5)
rows = {}
for name in SETS:
    for kern in ("mlp", "mlpxx", "trans"):
        opts = dict(kernel=kern, no_ladder=True, **PARAMS)
        if kern == "trans":
            # distribution_of_3 has 144 templates: 10 440 pair patterns, so fewer points there
            few = name == "distribution_of_3"
            opts.update(estimator="qmc", points=256 if few or QUICK else 2048,
                        replicates=8 if few or QUICK else 16)
            if not QUICK and not few:
                # quadruple the samples while undecided, for at most 20 s per set
                opts.update(auto_refine=True, time_budget=20)
        out = tkc.nmatrix(tkc.data(name), **opts)
        rows[name, kern] = out
    print(f"{name:>28} (r = {len(rows[name, 'mlp']['N']):3d}): " + ", ".join(
        f"{k} {rows[name, k]['verdict']} (σ_min {rows[name, k]['sigma_min']:.2e})"
        for k in ("mlp", "mlpxx", "trans")))

# %%
FLOOR = 1e-12
fig, ax = plt.subplots(figsize=(12, 4.8))
names = {"mlp": "MLP", "mlpxx": "MLP on XXᵀ-augmented input", "trans": "transformer"}
for c, kern in enumerate(("mlp", "mlpxx", "trans")):
    for s, name in enumerate(SETS):
        out = rows[name, kern]
        x = s + (c - 1) * 0.22
        v = out["verdict"]
        if v == "singular":
            ax.plot(x, FLOOR, "x", color=f"C{c}", ms=9, mew=2)
            continue
        err = out["certificate"]["radius_norm"] or 0.0
        sig = out["sigma_min"]
        lo = min(err, sig - FLOOR)
        ax.errorbar(x, sig, yerr=[[lo], [err]], fmt="o", color=f"C{c}", capsize=3,
                    mfc=f"C{c}" if v == "nonsingular" else "white")
for c, kern in enumerate(("mlp", "mlpxx", "trans")):
    ax.plot([], [], "o", color=f"C{c}", label=names[kern])
ax.plot([], [], "ko", label="nonsingular (proved / 99.9% confidence)")
ax.plot([], [], "ko", mfc="white", label="undecided")
ax.plot([], [], "kx", mew=2, label="singular (exact)")
ax.axhline(FLOOR, color="gray", lw=0.8)
ax.set_yscale("log")
ax.set_xticks(range(len(SETS)))
ax.set_xticklabels([f"{n}\n(r = {len(rows[n, 'mlp']['N'])})" for n in SETS], rotation=30,
                   ha="right", fontsize="small")
ax.set_ylabel("σ_min(N)  (✕ at the floor: exactly 0)")
ax.set_title(f"σ_min(N) on the shipped template sets; transformer at β = {PARAMS['beta']}, "
             f"γ = {PARAMS['gamma']}, φ = cos(t + 0.5); error bars: ‖radii‖₂")
ax.legend(ncol=2, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1))
save(fig, "nonsingularity_kernels")

# %% [markdown]
# ## What was seen
#
# (Numbers from the full run.)
#
# - Over the (β, γ) grid the transformer's σ_min(N) is positive everywhere — nonsingular almost
#   everywhere, as Lemma 3.7 says — but small: 10⁻⁶ to 10⁻² for same/different, down to 10⁻⁷ for
#   majority-3, smallest at small β, where attention is nearly uniform and barely tells αα from
#   αβ. With 2048 × 16 QMC points tkc shows 35 of the 99 same/different grid points nonsingular
#   at 99.9% confidence (76 before issue 11, when the radii were the delta method's first-order
#   ones, an estimate; now they are the ball dual of K_attn's boxes, wider); the rest, and every
#   majority-3 point, are honestly *undecided* (the entries' radii exceed σ_min), with the
#   number of samples that would settle them.
# - As β → 0 the transformer's σ_min falls like β⁴ (fitted exponent ≈ 4). The ladder's four
#   precisions agree to 4–5 digits until σ_min reaches ~10⁻¹⁴; at β = 0.001 (σ_min ≈ 2·10⁻¹⁵) the
#   53-bit value differs in the second digit, and the entries' rounding radius (~6·10⁻¹⁵) exceeds
#   σ_min, so the verdict turns *undecided* — exactly where a threshold on a double determinant would
#   have been guessing. At β ≳ 0.3 the series' truncation radius is what leaves it undecided.
# - The MLP is *singular (exact)* on all eleven shipped sets — they are all told apart by relations
#   between wildcards — while the MLP on XXᵀ-augmented input is nonsingular on all of them. The
#   transformer is nonsingular at 99.9% confidence on same/different, αβα/αββ, αβαβ/ααββ, majority-3 and
#   programming (σ_min 10⁻³–10⁻²); on the word problem and the larger sets (r = 16 to 144) its
#   σ_min (10⁻⁶–10⁻³) is below what 20 s of QMC points can resolve, and it stays *undecided*.
