# %% [markdown]
# # Theorem 3.4: test error against n (to n = 10⁶) and against ρ
#
# **What this shows.** Theorem 3.4 (with Lemma 3.5) bounds the error of kernel ridge regression
# with the transformer kernel on unseen symbols by C·√(log(1/δ)/n) + C·√(1/ρ): the test RMSE
# should fall at least like n^(−1/2) in the number of samples and like ρ^(−1/2) in the data
# diversity. The rates are asymptotic, so the n sweep goes to n = 10⁶: `tkc.krr(name,
# sweep="n")` (in process, what `tkc krr --sweep n --json` prints) at an alphabet of 10⁹
# symbols, where almost no two training strings share a symbol and K̂ is the block matrix
# U N Uᵀ plus a diagonal — the structured solve (Woodbury over a sparse Cholesky,
# docs/krr_scale.md) takes a second where the dense one would take weeks. Label noise 0.5 keeps
# the n-term visible.
#
# Every point carries two errors: the spread over data seeds (±data) and the kernel's own error,
# the spread of the same number over independent Monte Carlo estimates of the kernel on the same
# data (±kernel). The slopes are fitted three ways: over the whole range, over the *tail* (the
# longest run of the largest n without significant curvature: the asymptotic range) and *locally*
# (over each window of three n), each with a 95% interval; those of the whole range and of
# the tail include the slope's kernel error.
# ‖N⁻¹‖ — the constant of Lemma 3.5 — is given beside each curve.

# %%
# Kernel options per set.  beta = 4, gamma = 2 conditions N well on same/different
# (||N^-1|| ~ 300); on majority-5 beta = 8, gamma = 4 does best (||N^-1|| ~ 3300, against 5400 at
# beta = 4, gamma = 2, whose fit is still kernel-noise-bound at n = 10^6).  Relational
# match-to-sample (40 templates) has a nearly singular N at every setting we tried
# (sigma_min/sigma_max <= 1e-5 for cos, relu, erf, beta up to 16, gamma up to 16); beta = gamma = 8,
# b1 = 0.5 gives the smallest ||N^-1|| relative to the kernel's scale, and is what we show.
BIG = 10 ** 9                                       # alphabet: rho = 10^9 / wildcards
NS = ([100, 300, 1000, 3000] if QUICK else
      [100, 316, 1000, 3162, 10000, 31623, 100000, 316228, 1000000])
SETS = {
    "same_different": dict(beta=4.0, gamma=2.0, b1=1.0, b2=0.5, estimator="qmc",
                           points=256 if QUICK else 1024, seeds=2 if QUICK else 4),
    "majority5": dict(beta=8.0, gamma=4.0, b1=1.0, b2=0.5, estimator="qmc",
                      points=512 if QUICK else 4096, seeds=2 if QUICK else 4),
    "relational_match_to_sample": dict(beta=8.0, gamma=8.0, b1=0.5, b2=0.5, estimator="qmc",
                                       points=64 if QUICK else 1024, seeds=2,
                                       kernel_replicates=2 if QUICK else 3),
}
MTS_NS = NS[:3] if QUICK else NS

sweeps = {}
for name, opts in SETS.items():
    ns = MTS_NS if name.startswith("relational") else NS
    out = tkc.krr(name, sweep="n", n=ns, alphabet=BIG, noise=0.5, **opts)
    sweeps[name] = out
    f = out["fit"][0]
    t = f["tail"]
    print(f"{name}: ||N^-1|| = {f['nmatrix_inv_norm']:.3g} ({f['nmatrix']['verdict']}); "
          f"slope {f['slope']:+.3f} {f['slope_ci95_with_kernel']} over all n; "
          f"tail n >= {t['x_min']:g}: {t['slope']:+.3f} {t['slope_ci95_with_kernel']}; "
          f"solvers: {sorted(set(c['solver'] for c in out['curve']))}")

# %%
def curve(out):
    """n, RMSE mean over seeds, its data and kernel errors (delta method from the MSE)."""
    c = out["curve"]
    n = np.array([p["n"] for p in c], dtype=float)
    runs = out["runs"]
    rmse = {}
    for r in runs:
        rmse.setdefault(r["n"], []).append(np.sqrt(r["test_mse_population"]))
    mean = np.array([np.mean(rmse[int(v)]) for v in n])
    se = np.array([np.std(rmse[int(v)], ddof=1) / np.sqrt(len(rmse[int(v)])) for v in n])
    mse = np.array([p["test_mse_population"] for p in c])
    kse = np.array([p["test_mse_population_kernel_se"] or 0.0 for p in c]) / (2 * np.sqrt(mse))
    return n, mean, se, kse

fig, axes = plt.subplots(1, len(SETS), figsize=(6 * len(SETS), 4.8), squeeze=False)
for ax, (name, out) in zip(axes[0], sweeps.items()):
    n, mean, se, kse = curve(out)
    f = out["fit"][0]
    tot = np.sqrt(se ** 2 + kse ** 2)
    ax.errorbar(n, mean, yerr=tot, fmt="o", color="C0", capsize=3, label="test RMSE ± total")
    ax.errorbar(n, mean, yerr=kse, fmt="none", color="C3", elinewidth=5, alpha=0.45,
                label="± kernel part")
    ci = f["slope_ci95_with_kernel"]
    b = np.log(mean).mean() - f["slope"] * np.log(n).mean()
    ax.plot(n, np.exp(b) * n ** f["slope"], "-", color="C0", lw=1,
            label=f"all n: slope {f['slope']:+.2f} [{ci[0]:+.2f}, {ci[1]:+.2f}]")
    t = f["tail"]
    tail = n >= t["x_min"]
    if t["slope"] is not None and tail.sum() >= 2:
        tc = t["slope_ci95_with_kernel"]
        bt = np.log(mean[tail]).mean() - t["slope"] * np.log(n[tail]).mean()
        ax.plot(n[tail], np.exp(bt) * n[tail] ** t["slope"], "-", color="C2", lw=2.5,
                alpha=0.8, label=f"tail n ≥ {t['x_min']:g}: {t['slope']:+.2f} "
                                 f"[{tc[0]:+.2f}, {tc[1]:+.2f}]")
    ax.plot(n, mean[-1] * (n / n[-1]) ** -0.5, "k:", label="slope −1/2")
    ax.axhline(np.sqrt(out["runs"][0]["label_variance"]), color="gray", lw=0.8,
               ls="--", label="best constant")
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_ylim(mean.min() / 4, max(mean.max(), np.sqrt(out["runs"][0]["label_variance"])) * 4)
    ax.set_xlabel("training samples n")
    ax.set_ylabel("test RMSE on unseen symbols")
    r0 = out["runs"][0]
    ax.set_title(f"{name} (r = {len(r0['per_template'])}), ‖N⁻¹‖ = {f['nmatrix_inv_norm']:.3g}\n"
                 f"β = {SETS[name]['beta']:g}, γ = {SETS[name]['gamma']:g}, "
                 f"ρ = {r0['rho']:.2g}, noise 0.5", fontsize="medium")
    ax.legend(fontsize="x-small", loc="lower left")
fig.suptitle("Theorem 3.4, error against n up to 10⁶: mean over seeds; error bars: data seeds "
             "and kernel estimates (thick: the kernel's part); slopes with 95% intervals", y=1.04)
save(fig, "rates_vs_n")

# %% [markdown]
# ## The local slope against n
#
# A slope fitted over a range that is still curving is an average of the pre-asymptotic and the
# asymptotic behaviour. The local slope, over each window of three consecutive n, shows where
# the curve settles — and whether it settles at −1/2.

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.6))
for c, (name, out) in enumerate(sweeps.items()):
    loc = out["fit"][0]["local_slopes"]
    if not loc:
        continue
    xc = np.array([w["x_center"] for w in loc])
    s = np.array([w["slope"] for w in loc])
    lo = np.array([w["slope_ci95"][0] for w in loc])
    hi = np.array([w["slope_ci95"][1] for w in loc])
    ax.errorbar(xc * (1 + 0.04 * c), s, yerr=[s - lo, hi - s], fmt="o-", color=f"C{c}",
                capsize=3, label=f"{name} (‖N⁻¹‖ = {out['fit'][0]['nmatrix_inv_norm']:.2g})")
ax.axhline(-0.5, color="k", ls=":", label="−1/2")
ax.axhline(0, color="gray", lw=0.8)
ax.set_xscale("log")
ax.set_xlabel("n (geometric centre of the window)")
ax.set_ylabel("local slope of log RMSE in log n")
ax.set_title("Local slopes over windows of three n, 95% intervals", fontsize="medium")
ax.legend(fontsize="x-small")
save(fig, "rates_local_slopes")

# %% [markdown]
# ## Against ρ
#
# At fixed n = 1000 (noiseless labels), the alphabet grows: small alphabets make training strings
# share symbols, so K̂ departs from the block structure of N (notebook 01).

# %%
RHO_OPTS = dict(beta=4.0, gamma=2.0, b1=1.0, b2=0.5, estimator="qmc", points=1024)
RHO_SETS = ["same_different"] if QUICK else ["same_different", "majority3"]
LABEL = style.LABEL
KERNELS = ("trans", "mlpxx", "mlp")
rho_sweeps = {}
for name in RHO_SETS:
    extra = (dict(n=200, alphabet=[2 * 2 ** e for e in range(0, 5)], seeds=2) if QUICK
             else dict(n=1000, seeds=8))
    rho_sweeps[name] = tkc.krr(name, sweep="rho", compare=True, **RHO_OPTS, **extra)

fig, axes = plt.subplots(1, len(RHO_SETS), figsize=(6.5 * len(RHO_SETS), 4.8), squeeze=False)
for ax, name in zip(axes[0], RHO_SETS):
    out = rho_sweeps[name]
    fits = {f["kernel"]: f for f in out["fit"]}
    for c, kernel in enumerate(KERNELS):
        pts = [p for p in out["curve"] if p["kernel"] == kernel]
        rho = np.array([p["rho"] for p in pts])
        mse = np.array([p["test_mse_population"] for p in pts])
        se = np.array([p["test_mse_population_se"] for p in pts]) / (2 * np.sqrt(mse))
        kse = np.array([p["test_mse_population_kernel_se"] or 0.0 for p in pts]) / (2 * np.sqrt(mse))
        f = fits[kernel]
        ci = f["slope_ci95_with_kernel"] if f["slope_kernel_se"] is not None else f["slope_ci95"]
        ax.errorbar(rho, np.sqrt(mse), yerr=np.sqrt(se ** 2 + kse ** 2), fmt="o-",
                    color=style.COLOR[kernel], capsize=2,
                    label=f"{LABEL[kernel]}: slope {f['slope']:+.2f} [{ci[0]:+.2f}, {ci[1]:+.2f}]")
    r0 = np.array([p["rho"] for p in out["curve"] if p["kernel"] == "trans"])
    m0 = np.sqrt(out["curve"][0]["test_mse_population"])
    ax.plot(r0, m0 * (r0 / r0[0]) ** -0.5, "k:", label="slope −1/2")
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlabel("data diversity ρ = A / (max wildcards per template)")
    ax.set_ylabel("test RMSE on unseen symbols")
    ax.set_title(f"{name}: n = {out['runs'][0]['n']}, noiseless labels", fontsize="medium")
    ax.legend(fontsize="x-small", loc="lower left")
fig.suptitle("Theorem 3.4, error against ρ: mean ± (data and kernel) error, 95% intervals")
save(fig, "rates_vs_rho")

# %% [markdown]
# ## How far the dense peers stop
#
# The structured solve against dense ones on the same kind of K̂: tkc's dense path (LAPACK
# Cholesky with refinement), numpy's `linalg.solve` and scikit-learn's
# `KernelRidge(kernel="precomputed")`. Times were measured by `bench/run_krr_scale.sh` (in
# `bench/krr_peers.csv`, with the machine it ran on — this notebook only plots them); each dense
# curve is extended by n³ from its last measurement up to the n where its matrices no longer fit
# in that machine's memory (the peak memory per n² is taken from the largest measured run).

# %%
import csv
path = os.path.join(ROOT, "bench", "krr_peers.csv")
header = open(path).readline().strip()
mem_gb = float(header.split("memory_gb")[1].split()[0].strip(","))
rows = [r for r in csv.DictReader(l for l in open(path) if not l.startswith("#"))]
impls = ["tkc structured", "tkc dense", "numpy", "sklearn"]
fig, ax = plt.subplots(figsize=(8, 5))
for c, impl in enumerate(impls):
    pts = sorted((int(r["n"]), float(r["seconds"]), float(r["peak_gb"]))
                 for r in rows if r["impl"] == impl)
    if not pts:
        continue
    n = np.array([p[0] for p in pts], dtype=float)
    t = np.array([p[1] for p in pts])
    if impl == "tkc structured":
        ax.plot(n, t, "o-", color=f"C{c}", label=f"{impl} (peak {pts[-1][2]:.2g} GB at n = {n[-1]:.0e})")
        continue
    per_n2 = pts[-1][2] / n[-1] ** 2                  # GB per n^2 at the largest run
    wall = np.sqrt(mem_gb / per_n2)
    ax.plot(n, t, "o-", color=f"C{c}",
            label=f"{impl}: {per_n2 * 1e9:.0f} bytes per n², memory full at n ≈ {wall:.2g}")
    ext = np.geomspace(n[-1], wall, 20)
    ax.plot(ext, t[-1] * (ext / n[-1]) ** 3, ":", color=f"C{c}")
    ax.plot([wall], [t[-1] * (wall / n[-1]) ** 3], "x", color=f"C{c}", ms=10, mew=2)
ax.set_xscale("log"); ax.set_yscale("log")
ax.set_xlabel("training samples n (same/different, alphabet 10⁹)")
ax.set_ylabel("seconds (one fit)")
ax.set_title(f"How far the dense peers stop: {mem_gb:.0f} GB of memory (measured: {header[2:]})\n"
             "tkc: draw, fit, score; numpy, scikit-learn: the solve alone; dotted: n³ to the "
             "memory wall (×)", fontsize="x-small")
ax.legend(fontsize="x-small", loc="upper left")
save(fig, "krr_dense_peers")

# %% [markdown]
# ## What was seen
#
# (Numbers from the full run, printed above; the quick run stops at n = 3000.)
#
# - same/different (‖N⁻¹‖ ≈ 150): the RMSE falls over the whole range, steeper than −1/2 at
#   first (−0.77 over all n: the fit's bias, which falls like 1/n, still counts), then the local
#   slope settles near −1/2 from n ≈ 3·10⁴ (−0.55 to −0.65, each interval holding −1/2); at
#   n = 10⁶ the RMSE, 6·10⁻⁴, is the label noise's 0.5/√(n/2) = 7·10⁻⁴. The tail fit (n ≥ 3162)
#   gives −0.68 [−0.82, −0.54], kernel error included.
# - majority-5 (‖N⁻¹‖ ≈ 3300): slow at first (local slopes −0.15 to −0.3 up to n = 10⁴), then
#   −0.75 and −0.89 over 10⁵–10⁶: the bias term (K(x, x) − N_tt + λ)·‖N⁻¹‖/n_t, slope −1,
#   dominates, and the noise term's −1/2 takes over only where √n_t ≈ (K(x, x) − N_tt)‖N⁻¹‖/σ,
#   n of order 10⁸. Theorem 3.4's bound (an upper bound, at least −1/2) holds throughout; its
#   asymptotic exponent is not reached by n = 10⁶.
# - relational match-to-sample (‖N⁻¹‖ ≈ 10⁵ at these options, ≥ 2·10⁴ at every setting tried):
#   the RMSE stays at the best constant's to n = 10⁶ (slope 0). The kernel's own error is large:
#   at n ≈ 3·10⁴ one kernel estimate makes N nearly singular and the fit explodes (the tall bar).
# - Against ρ, the transformer's error falls with ρ; the MLP's does not (its N is singular).
# - The dense peers: on this machine tkc's dense fit would run out of memory near n = 55 000,
#   numpy's and scikit-learn's solves near 31 000 (they keep about three n×n matrices); the
#   structured fit takes one second at n = 10⁶.
