"""Options of the Ackerberg–Caves–Frazer estimator (``method="acf"``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from tfp._checks import check_int, check_names, check_real
from tfp._literals import validate_literal
from tfp.options._base import MethodOptions, Optimizer

__all__ = ["WEIGHTS", "ACFOptions"]

#: Weight matrices of the second-stage GMM criterion.
WEIGHTS: tuple[str, ...] = ("one-step", "two-step")


def _default_optimizer() -> Optimizer:
    return Optimizer("bfgs", xtol=1e-12, ftol=1e-20, maxiter=2000, n_starts=8)


@dataclass(frozen=True)
class ACFOptions(MethodOptions):
    """Options of the Ackerberg–Caves–Frazer (2015) two-stage estimator.

    The model is ``y = f(x; β) + ω + ε`` with inputs ``x`` = free, state and (gross output)
    flexible inputs; ``f`` is Cobb–Douglas or translog (``spec.form``). The first stage regresses
    ``y`` on a full polynomial in (free, state, flexible, proxy) plus the controls, giving
    ``φ``; the second stage sets ``ω(β) = φ − f(x; β)``, concentrates out the coefficients of the
    law of motion ``ω_t = g(ω_{t−1}, c_{t−1}) + ξ_t`` by least squares, and minimises the GMM
    criterion of ``E[ξ_t(β) z_t] = 0``.

    Parameters
    ----------
    poly_degree : int, default 3
        Total degree of the first-stage polynomial in (free, state, flexible, proxy).
    markov_degree : int, default 3
        Degree of the polynomial ``g`` in ``ω_{t−1}`` (1 = AR(1) with constant).
    time_dummies : bool, default False
        Add period dummies to the first stage. Like the controls, they are netted out of ``φ``
        (productivity is then measured relative to each period's mean shift).
    extra_instruments : sequence of str, default ()
        Columns whose value at ``t−1`` is added to the instruments (e.g. the state input or the
        proxy lagged once). Over-identifies the model; Kim, Luo & Su (2019) recommend extra
        lagged instruments against the spurious minimum of the ACF criterion.
    weight : {'one-step', 'two-step'}, default 'one-step'
        ``'one-step'``: ``W = (Z'Z/N)^{-1}``. ``'two-step'``: the one-step estimate gives the
        residuals ``ξ̂`` and ``W = S^{-1}``, ``S = N^{-1} Σ (z_i ξ̂_i − ḡ)(z_i ξ̂_i − ḡ)'``; the
        criterion is then minimised again from the one-step minima.
    markov_controls : sequence of str, default ()
        Variables that shift the law of motion (e.g. exporting, or having been served by
        PP 0093): their values at ``t−1`` enter ``g`` linearly. Returned by :meth:`columns`.
    optimizer : Optimizer, default ``Optimizer("bfgs", xtol=1e-12, ftol=1e-20, maxiter=2000, n_starts=8)``
        Minimiser of the concentrated criterion (BFGS uses its analytic gradient).
        ``n_starts`` is the size of the start set below.
    start : sequence of float or None, default None
        An explicit first start (one value per production term). With ``n_starts=1`` it is the
        only start.
    start_spread : float, default 0.5
        Half-width of the box of Sobol starts around the OLS estimate (first-order terms; a
        tenth of it for translog second-order terms).
    spurious_rts : float, default 0.1
        A local minimum whose mean returns to scale (sum of mean output elasticities) is below
        this is flagged as the spurious solution ``ω ≈ φ`` of Kim, Luo & Su (2019); it is not
        reported when a non-spurious minimum was found. ``0`` disables the guard.
    spurious_r2 : float, default 0.1
        A local minimum at which the law of motion explains less than this share of the
        variance of ``ω(β)`` is flagged as spurious: when ``ω(β)`` has no persistence, ``ξ`` is
        orthogonal to everything dated ``t−1`` and the moments hold whatever the instruments
        (in ACF's designs a root with capital ≈ 0 and labour ≈ returns to scale, Kim, Luo &
        Su 2019). Productivity is persistent in every application we know (AR coefficients
        0.6–0.95, R² ≥ 0.36). ``0`` disables the guard.
    nonnegative : bool, default True
        A local minimum with a negative mean output elasticity is set aside as economically
        inadmissible when an admissible minimum was found (it is still reported, with a
        diagnostic, when none was). Under measurement error in the proxy the ACF criterion can
        have several exact roots, e.g. one with negative capital beside one near the truth,
        with criteria that are both zero to rounding; "lowest criterion" then picks between them
        arbitrarily (tfp's Monte Carlo, ``docs/explanation/montecarlo.md``). ``False`` keeps
        the lowest criterion whatever its sign.
    unit_invariant : bool, default True
        Make the estimator independent of the units of the logs (soles, thousands or
        millions add a constant to each log): the search runs on production terms of inputs
        centred at their sample means (coefficients are reported on the raw terms), the
        instruments are centred (so the weight ``(Z'Z/N)^{-1}`` and the moment scores do not
        depend on their origin) and the first-stage start reads the polynomial's
        coefficients at the sample means. ``False`` is prodest's convention (raw instruments
        and the polynomial's coefficients at zero), kept by :meth:`prodest` to reproduce it:
        its criterion away from the roots, and so its search, depend on the units.
    screen_nobs : int or None, default 100_000
        Large samples: with more second-stage rows than this, every start is first run on a
        deterministic subsample of about this many rows (every k-th firm), and only the
        distinct non-spurious minima found there whose criterion is within sampling noise of
        the best (at most three) are polished on the full sample. The estimate is always a
        minimum of the full-sample criterion; screening decides where its searches start and
        is recorded in ``results.details.screening``. ``None`` never screens.

    Notes
    -----
    The start set is deterministic and is, in order: ``start`` (if given); the OLS estimate of
    ``y`` on the production terms; the first-stage start (the first-stage polynomial's
    coefficients on the production terms, read at the inputs' sample means, or at zero,
    prodest's start without its random noise, with ``unit_invariant=False``);
    equal elasticities ``1/n_inputs``; then scrambled Sobol points (seed 0), alternately in the
    box of economically plausible elasticities ``[0, 1]`` per input (translog second-order
    terms at 0) and around the OLS estimate (``± start_spread``), up to ``optimizer.n_starts``
    starts. The plausible box matters when OLS is far from the truth (strong input
    endogeneity), where starts around OLS alone can miss the basin of the true root.
    The estimate is the lowest criterion over the starts, whatever their order.

    Default instruments: ``state_t``, ``free_{t−1}`` and ``flexible_{t−1}``; for a translog, the
    translog terms built from these dated inputs. Rows without the firm's previous period
    (first period, or a gap in its years) are left out of the second stage and counted.

    References
    ----------
    Ackerberg, D. A., Caves, K., & Frazer, G. (2015). Identification properties of recent
    production function estimators. *Econometrica* 83(6), 2411–2451.

    Kim, K., Luo, Y., & Su, Y. (2019). A robust approach to estimating production functions:
    Replication of the ACF procedure. *Journal of Applied Econometrics* 34(4), 514–516.
    """

    methods: ClassVar[tuple[str, ...]] = ("acf",)

    poly_degree: int = 3
    markov_degree: int = 3
    time_dummies: bool = False
    extra_instruments: tuple[str, ...] = ()
    weight: str = "one-step"
    markov_controls: tuple[str, ...] = ()
    optimizer: Optimizer = field(default_factory=_default_optimizer)
    start: tuple[float, ...] | None = None
    start_spread: float = 0.5
    spurious_rts: float = 0.1
    spurious_r2: float = 0.1
    nonnegative: bool = True
    unit_invariant: bool = True
    screen_nobs: int | None = 100_000

    def __post_init__(self) -> None:
        self._check_fields()
        check_int(self.poly_degree, name="ACFOptions.poly_degree", low=1, high=6)
        check_int(self.markov_degree, name="ACFOptions.markov_degree", low=1, high=6)
        object.__setattr__(
            self,
            "extra_instruments",
            check_names(self.extra_instruments, name="ACFOptions.extra_instruments"),
        )
        object.__setattr__(
            self,
            "markov_controls",
            check_names(self.markov_controls, name="ACFOptions.markov_controls"),
        )
        validate_literal(self.weight, WEIGHTS, name="ACFOptions.weight")
        check_real(self.start_spread, name="ACFOptions.start_spread", low=0.0)
        if self.screen_nobs is not None:
            check_int(self.screen_nobs, name="ACFOptions.screen_nobs", low=1000)
        check_real(self.spurious_rts, name="ACFOptions.spurious_rts", low=0.0)
        check_real(self.spurious_r2, name="ACFOptions.spurious_r2", low=0.0, high=1.0)

    def columns(self) -> tuple[str, ...]:
        """Extra data columns: the extra instruments and the Markov controls."""
        return tuple(dict.fromkeys((*self.extra_instruments, *self.markov_controls)))

    @classmethod
    def prodest(cls, **overrides: Any) -> ACFOptions:
        """The specification of R ``prodest::prodestACF`` (prodest 1.0.1), exactly.

        Read from ``R/prodestACF.R`` (functions ``prodestACF``, ``.prepare_acf_data``,
        ``finalACF``, ``gACF``) and ``R/auxFun.R`` (``lagPanel``) of github.com/cran/prodest and
        github.com/GabrieleRovigatti/prodest:

        - first stage: ``lm`` of ``Y`` on the full second-order polynomial (all squares and
          pairwise products) in (free, state, proxy) with a constant, on every row:
          ``poly_degree=2``; ``φ`` = its fitted values;
        - ``lagPanel`` matches the firm's row at ``time − 1``, so gaps break the lag; rows
          without a lag of the inputs or of ``φ`` leave the second stage;
        - law of motion ``g`` = cubic in ``ω_{t−1}`` with constant, concentrated out by OLS
          inside the criterion (``gACF``): ``markov_degree=3``;
        - instruments ``Z = (free_{t−1}, state_t)`` without a constant, and the criterion
          ``(Z'ξ)' (Z'Z)^{-1}/N (Z'ξ)``, which equals ``g' (Z'Z/N)^{-1} g`` with ``g = Z'ξ/N``:
          ``weight='one-step'``;
        - ``optim(method="BFGS")`` from the first stage's linear coefficients plus
          ``rnorm(0, 0.01)`` noise. tfp uses BFGS with an analytic gradient from its
          deterministic start set, which contains that start without the noise
          (``start`` overrides), and keeps the lowest criterion.

        prodest's raw instruments and start are not unit invariant: ``unit_invariant=False``.
        The spurious-solution and sign guards are off (``spurious_rts=0``, ``spurious_r2=0``,
        ``nonnegative=False``): the
        lowest prodest criterion is reported, whatever it is. On ACF-design data that criterion
        has an exact spurious root too (capital ≈ 0); the defaults of :class:`ACFOptions` set it
        aside.
        Controls (``cX``) are not part of the reproduced specification: prodest's versions
        differ on where they enter.
        """
        base: dict[str, Any] = {
            "poly_degree": 2,
            "markov_degree": 3,
            "time_dummies": False,
            "extra_instruments": (),
            "weight": "one-step",
            "markov_controls": (),
            "spurious_rts": 0.0,
            "spurious_r2": 0.0,
            "nonnegative": False,
            "unit_invariant": False,
        }
        base.update(overrides)
        return cls(**base)
