"""One look for every figure of the notebooks: each kernel's and each
estimator's colour and label, the same in every figure, with the
mathematics written in matplotlib's mathtext ($\\beta$, $XX^\\top$, ...),
and the figures' rcParams.  The setup cell of every notebook imports it
(make_notebooks.py)."""
import matplotlib.pyplot as plt

# The kernels, in the order figures list them.
KERNELS = ("trans", "mlpxx", "mlp", "attn")
COLOR = {"trans": "#1f77b4", "mlpxx": "#2ca02c", "mlp": "#d62728",
         "attn": "#9467bd"}
LABEL = {"trans": "transformer",
         "mlpxx": r"MLP on $XX^\top$-augmented input",
         "mlp": "MLP",
         "attn": r"$K_{\mathrm{attn}}$"}
# Short labels, where a legend or tick has little room.
SHORT = {"trans": "transformer", "mlpxx": r"MLP+$XX^\top$", "mlp": "MLP",
         "attn": r"$K_{\mathrm{attn}}$"}

# The estimators of K_attn.
ESTIMATOR_COLOR = {"mc": "#ff7f0e", "qmc": "#17becf", "series": "#8c564b",
                   "cvmc": "#e377c2", "auto": "#7f7f7f"}
ESTIMATOR_LABEL = {"mc": "Monte Carlo (mc)", "qmc": "randomized QMC (qmc)",
                   "series": r"$\beta$-series (series)",
                   "cvmc": "control-variate MC (cvmc)", "auto": "auto"}

# Symbols used in axis labels and titles.
SIGMA_MIN = r"$\sigma_{\min}(N)$"
KHAT = r"$\hat K$"
RHO = r"$\rho$"


def kernel_style(kernel):
    """color= and label= for a kernel's line."""
    return dict(color=COLOR[kernel], label=LABEL[kernel])


def apply():
    """The figures' rcParams: constrained layout (titles and suptitles
    never overlap), a light grid, and mathtext in the same typeface as the
    text (DejaVu Sans)."""
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 110,
                         "figure.constrained_layout.use": True,
                         "axes.grid": True, "grid.alpha": 0.3,
                         "legend.fontsize": "small",
                         "mathtext.fontset": "dejavusans"})
