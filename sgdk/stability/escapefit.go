package stability

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// The escape threshold as a statistical estimate.
//
// Every probe of MeasureEscape reuses the same random streams (run i has the
// same start point and the same batch indices at every C), so run i has its
// own threshold c_i: it escapes at the probed rates above c_i and stays at
// those below. The probes therefore observe each c_i only up to an interval
// (L_i, R_i]: R_i the smallest probed rate at which run i escaped (+Inf if
// none), L_i the largest probed rate below R_i at which it stayed (0 if
// none). A run that escaped at some rate and stayed at a larger one is
// counted at its smallest escaping rate.
//
// The escape probability is modelled as a logistic curve in log C,
//
//	P(escape at C) = P(c_i < C) = σ(b·(log C − μ)),   σ(z) = 1/(1 + e^{−z}),
//
// so the threshold C_½ = e^μ is the rate at which half of the runs escape,
// and the interval-censored log-likelihood of the probes is
//
//	ℓ(μ, b) = Σ_i log(σ(b(log R_i − μ)) − σ(b(log L_i − μ))).
//
// (The runs are independent; the probes of one run are not, which is why a
// logistic regression treating every run at every probe as an independent
// Bernoulli trial would be overconfident.) ℓ is concave in (a, b) = (bμ, b)
// (Prékopa: the logistic density is log-concave and the event is a set of
// linear inequalities in (t, a, b)), so for each μ the profile
// ℓ_p(μ) = max_b ℓ(μ, b) is a one-dimensional concave maximization, and ℓ_p
// is quasi-concave (its superlevel sets are images of convex sets under the
// continuous map (a, b) ↦ a/b, hence intervals). The estimate is the μ̂
// maximizing ℓ_p and the interval at level α is the profile-likelihood
// interval {μ: 2(ℓ_p(μ̂) − ℓ_p(μ)) ≤ χ²_1(α)} (Venzon and Moolgavkar, "A
// method for computing profile-likelihood-based confidence intervals",
// Applied Statistics 37, 1988).

// censored is the interval (lo, hi] of log c_i of one run (lo = −Inf, hi =
// +Inf when unbounded).
type censored struct{ lo, hi float64 }

// censorRuns turns the probes (rates cs, outcomes esc[probe][run]) into the
// runs' censoring intervals of log c_i.
func censorRuns(cs []float64, esc [][]bool) []censored {
	if len(cs) == 0 {
		return nil
	}
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return cs[idx[a]] < cs[idx[b]] })
	runs := len(esc[0])
	out := make([]censored, runs)
	for r := range runs {
		hi := math.Inf(1)
		for _, j := range idx {
			if esc[j][r] {
				hi = math.Log(cs[j])
				break
			}
		}
		lo := math.Inf(-1)
		for _, j := range idx {
			x := math.Log(cs[j])
			if x >= hi {
				break
			}
			if !esc[j][r] {
				lo = x
			}
		}
		out[r] = censored{lo, hi}
	}
	return out
}

// logSigmoid returns log σ(z) without overflow.
func logSigmoid(z float64) float64 {
	if z >= 0 {
		return -math.Log1p(math.Exp(-z))
	}
	return z - math.Log1p(math.Exp(z))
}

// censLogLik is ℓ(μ, b) of the censored runs.
func censLogLik(runs []censored, mu, b float64) float64 {
	var s float64
	for _, r := range runs {
		z2, z1 := b*(r.hi-mu), b*(r.lo-mu)
		// σ(z2) − σ(z1) = σ(z2)·σ(−z1)·(1 − e^{z1−z2}), stable in both tails.
		v := 0.0
		if !math.IsInf(z2, 1) {
			v += logSigmoid(z2)
		}
		if !math.IsInf(z1, -1) {
			v += logSigmoid(-z1)
			if !math.IsInf(z2, 1) {
				v += math.Log1p(-math.Exp(z1 - z2))
			}
		}
		s += v
	}
	return s
}

// goldenMax maximizes a unimodal f on [a, b] by golden-section search to an
// absolute tolerance tol and returns the maximizer and the maximum. (gonum
// optimize has no bounded one-dimensional method.)
func goldenMax(f func(float64) float64, a, b, tol float64) (float64, float64) {
	const invPhi = 0.6180339887498949
	c, d := b-invPhi*(b-a), a+invPhi*(b-a)
	fc, fd := f(c), f(d)
	for b-a > tol {
		if fc >= fd {
			b, d, fd = d, c, fc
			c = b - invPhi*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + invPhi*(b-a)
			fd = f(d)
		}
	}
	if fc >= fd {
		return c, fc
	}
	return d, fd
}

// escapeFit is the logistic fit of the escape probability against log C.
type escapeFit struct {
	c, lo, hi float64 // threshold e^μ̂ and its interval
	scale     float64 // 1/b̂, the logistic scale in log C
}

// fitEscape fits the logistic model to the probes (rates cs, outcomes
// esc[probe][run]) and returns the threshold and its profile-likelihood
// interval at level. Lo is 0 and Hi +Inf where the likelihood does not
// bound the threshold inside a wide search range (50 times the span of the
// probed log C beyond the probes).
func fitEscape(cs []float64, esc [][]bool, level float64) escapeFit {
	runs := censorRuns(cs, esc)
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, c := range cs {
		xmin, xmax = math.Min(xmin, math.Log(c)), math.Max(xmax, math.Log(c))
	}
	span := xmax - xmin
	if !(span > 0) {
		span = 1
	}
	// The slope b ranges from a curve nearly flat over the probes to one
	// that is a step between the two closest probes; the bounds keep a
	// perfectly separated data set (every c_i between the same two probes)
	// finite.
	logBMin, logBMax := math.Log(1e-3/span), math.Log(1e4/span)
	tolB := 1e-4 // relative precision of b̂; ℓ is flat at its maximum
	profile := func(mu float64) (float64, float64) {
		lb, v := goldenMax(func(lb float64) float64 { return censLogLik(runs, mu, math.Exp(lb)) }, logBMin, logBMax, tolB)
		return v, math.Exp(lb)
	}
	lp := func(mu float64) float64 { v, _ := profile(mu); return v }
	tolMu := 1e-6 // log C: a relative precision of 1e-6 in C
	// A coarse grid first, then golden-section search around its best
	// point: ℓ_p is quasi-concave but can be nearly flat far from the
	// probes, where golden-section steps alone could go the wrong way.
	const ngrid = 48
	a, w := xmin-span, 3*span/ngrid
	best, bestV := 0, math.Inf(-1)
	for i := 0; i <= ngrid; i++ {
		if v := lp(a + float64(i)*w); v > bestV {
			best, bestV = i, v
		}
	}
	muHat, lHat := goldenMax(lp, a+float64(best-1)*w, a+float64(best+1)*w, tolMu)
	_, bHat := profile(muHat)
	target := lHat - 0.5*distuv.ChiSquared{K: 1}.Quantile(level)
	// Endpoint on one side: bisection between μ̂ and the first μ outward
	// (doubling the step) where ℓ_p drops below the target.
	endpoint := func(dir float64) float64 {
		step := 0.05 * span
		in := muHat
		for step <= 50*span {
			out := muHat + dir*step
			if lp(out) < target {
				for math.Abs(out-in) > tolMu {
					mid := 0.5 * (in + out)
					if lp(mid) < target {
						out = mid
					} else {
						in = mid
					}
				}
				return 0.5 * (in + out)
			}
			in = out
			step *= 2
		}
		return math.Inf(int(dir))
	}
	return escapeFit{c: math.Exp(muHat), lo: math.Exp(endpoint(-1)), hi: math.Exp(endpoint(1)), scale: 1 / bHat}
}
