"""The adaptive methods of seed 003: AdaGrad, RMSProp and Adam.

Each divides the step entry by entry (⊘) by the root of a running sum or mean of the
squared gradient (⊙), so that entries with large gradients take small steps.
"""

from __future__ import annotations

import numpy as np

from .base import Optimizer, Rate, fraction, positive, positive_rate, rate, shown_rate


def adagrad(lr: Rate = 0.01, eps: float = 1e-8) -> Optimizer:
    """AdaGrad (Adaptive Gradient, 2011), seed 003, with Γ₀ = 0.

    Gᵢ = ∇_Θ L(yᵢ, M(xᵢ | Θ_t))

    Γ_t = Γ_{t−1} + Gᵢ ⊙ Gᵢ

    Θ_{t+1} = Θ_t − μ Gᵢ ⊘ (√Γ_t + ϵ)

    "Make smaller steps for the entries that are updated often."  The seed gives no
    defaults; μ = 0.01 is PyTorch's and ϵ = 10⁻⁸ Adam's.

    >>> from graphdiff import optim
    >>> opt = optim.adagrad(lr=0.1)
    >>> params, state = opt.step({"w": 1.0}, {"w": 2.0}, opt.init({"w": 1.0}))
    >>> state["Gamma"]["w"], round(params["w"], 12)     # Γ₁ = 4, Θ₁ = 1 − 0.1·2/2
    (array(4.), 0.9)
    """
    positive("eps", eps)

    def rule(t: int, theta: np.ndarray, g: np.ndarray,
             buffers: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        gamma = buffers["Gamma"] + g * g
        return theta - rate(lr, t) * g / (np.sqrt(gamma) + eps), {"Gamma": gamma}

    return Optimizer("adagrad", rule, {"lr": shown_rate(positive_rate(lr)), "eps": eps},
                     slots=("Gamma",))


def rmsprop(lr: Rate = 0.001, alpha: float = 0.9, eps: float = 1e-8) -> Optimizer:
    """RMSProp (Running Mean Square, 2012), seed 003, with Γ₀ = 0.

    Gᵢ = ∇_Θ L(yᵢ, M(xᵢ | Θ_t))

    Γ_t = α Γ_{t−1} + (1 − α) Gᵢ ⊙ Gᵢ

    Θ_{t+1} = Θ_t − μ Gᵢ ⊘ (√Γ_t + ϵ)

    AdaGrad with its sum replaced by an exponential moving average.  The seed gives no
    defaults; α = 0.9 and μ = 0.001 are those of the 2012 lecture that proposed the
    method (Tieleman and Hinton), ϵ = 10⁻⁸ Adam's.

    >>> from graphdiff import optim
    >>> opt = optim.rmsprop(lr=0.1, alpha=0.75)
    >>> params, state = opt.step({"w": 1.0}, {"w": 2.0}, opt.init({"w": 1.0}))
    >>> state["Gamma"]["w"], round(params["w"], 12)     # Γ₁ = 0.25·4, Θ₁ = 1 − 0.1·2/1
    (array(1.), 0.8)
    """
    fraction("alpha", alpha)
    positive("eps", eps)

    def rule(t: int, theta: np.ndarray, g: np.ndarray,
             buffers: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        gamma = alpha * buffers["Gamma"] + (1.0 - alpha) * g * g
        return theta - rate(lr, t) * g / (np.sqrt(gamma) + eps), {"Gamma": gamma}

    return Optimizer("rmsprop", rule,
                     {"lr": shown_rate(positive_rate(lr)), "alpha": alpha, "eps": eps},
                     slots=("Gamma",))


def adam(lr: Rate = 0.001, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> Optimizer:
    """Adam (Adaptive Momentum, 2014), seed 003: Momentum and RMSProp together.

    Gᵢ = ∇_Θ L(yᵢ, M(xᵢ | Θ_t)), with m₀ = 0 and v₀ = 0

    m_t = β₁ m_{t−1} + (1 − β₁) Gᵢ                  (the first moment)

    v_t = β₂ v_{t−1} + (1 − β₂) Gᵢ ⊙ Gᵢ             (the second moment)

    m̂_t = m_t / (1 − β₁ᵗ),  v̂_t = v_t / (1 − β₂ᵗ)   (the bias corrections)

    Θ_t = Θ_{t−1} − α m̂_t ⊘ (√v̂_t + ϵ)

    The defaults are the seed's recommended values, α = 0.001, β₁ = 0.9, β₂ = 0.999,
    ϵ = 10⁻⁸ (α is ``lr``).  The seed's corrections print m_{t−1} and v_{t−1} where
    m_t and v_t are meant (Kingma and Ba's Algorithm 1): with m₀ = 0 the first step
    would not move.  The corrections undo the zero start, so the first step is
    α·Gᵢ ⊘ (|Gᵢ| + ϵ), about α in every entry, whatever the gradient's size:

    >>> from graphdiff import optim
    >>> opt = optim.adam(lr=0.1)
    >>> params, state = opt.step({"w": 1.0}, {"w": 2000.0}, opt.init({"w": 1.0}))
    >>> round(params["w"], 9), state["m"]["w"], round(float(state["v"]["w"]), 6)
    (0.9, array(200.), 4000.0)
    """
    fraction("beta1", beta1)
    fraction("beta2", beta2)
    positive("eps", eps)

    def rule(t: int, theta: np.ndarray, g: np.ndarray,
             buffers: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        m = beta1 * buffers["m"] + (1.0 - beta1) * g
        v = beta2 * buffers["v"] + (1.0 - beta2) * g * g
        m_hat = m / (1.0 - beta1**t)
        v_hat = v / (1.0 - beta2**t)
        return theta - rate(lr, t) * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v}

    return Optimizer("adam", rule, {"lr": shown_rate(positive_rate(lr)), "beta1": beta1,
                                    "beta2": beta2, "eps": eps}, slots=("m", "v"))
