package thresholds

import "math"

// xfloat is the real number f·2^e with f = 0 or 0.5 ≤ |f| < 1: a float64
// significand with an exponent of unlimited range. The threshold formulas
// are evaluated in xfloats so that no intermediate (λ², C², s/k, …)
// overflows or underflows.
//
// Every operation rounds the significand once, to nearest, exactly as
// float64 arithmetic rounds the same operation on operands whose result
// lies in the normal range (scaling by a power of two commutes with
// rounding there). A formula evaluated in xfloats therefore returns, bit for
// bit, what float64 arithmetic with an unbounded exponent would return; the
// conversion back to float64 (float) is the only step that can overflow or
// underflow, and it does so only when that value itself lies outside the
// float64 range (a result in the subnormal range is rounded a second time).
// Rounding is monotone, so monotonicity of a formula in an argument carries
// over to its evaluation.
type xfloat struct {
	f float64
	e int
}

// xf converts a finite float64 exactly.
func xf(x float64) xfloat {
	f, e := math.Frexp(x)
	return xfloat{f, e}
}

// xnorm returns f·2^e normalized; f is finite.
func xnorm(f float64, e int) xfloat {
	g, d := math.Frexp(f)
	if g == 0 {
		return xfloat{}
	}
	return xfloat{g, e + d}
}

// float rounds x to the nearest float64, ±Inf beyond the range.
func (x xfloat) float() float64 { return math.Ldexp(x.f, x.e) }

func (x xfloat) isZero() bool { return x.f == 0 }

func (x xfloat) neg() xfloat { return xfloat{-x.f, x.e} }

// mul returns the rounded product; the significands' product lies in
// [0.25, 1), so it is rounded as in the normal range.
func (x xfloat) mul(y xfloat) xfloat { return xnorm(x.f*y.f, x.e+y.e) }

// quo returns the rounded quotient; y must not be zero.
func (x xfloat) quo(y xfloat) xfloat { return xnorm(x.f/y.f, x.e-y.e) }

// add returns the rounded sum. The smaller operand is aligned to the
// larger's exponent; when that alignment underflows, the operand is below
// 2^-1021 of the larger, far below half an ulp of the sum, and the rounded
// sum is the larger operand either way.
func (x xfloat) add(y xfloat) xfloat {
	if x.f == 0 {
		return y
	}
	if y.f == 0 {
		return x
	}
	if x.e < y.e {
		x, y = y, x
	}
	return xnorm(x.f+math.Ldexp(y.f, y.e-x.e), x.e)
}

// sqrt returns the rounded square root of x ≥ 0.
func (x xfloat) sqrt() xfloat {
	if x.f == 0 {
		return x
	}
	f, e := x.f, x.e
	if e&1 != 0 {
		f *= 2
		e--
	}
	return xnorm(math.Sqrt(f), e/2)
}

// less reports x < y exactly: the rounded difference of two xfloats has the
// sign of the exact one.
func (x xfloat) less(y xfloat) bool { return x.add(y.neg()).f < 0 }

var xtwo = xf(2)

// noise returns v/k, the noise term s/k or t/k of the thresholds, as an
// xfloat: 0 when k = +Inf (gradient descent).
func noise(v, k float64) xfloat {
	if math.IsInf(k, 1) {
		return xfloat{}
	}
	return xf(v).quo(xf(k))
}

// noiseTerm is a noise term a = s/k or t/k with its float64 value f, which
// equals a exactly when fast is set: a is 0 or within [2^-500, 2^500].
type noiseTerm struct {
	x    xfloat
	f    float64
	fast bool
}

func newNoiseTerm(v, k float64) noiseTerm {
	if math.IsInf(k, 1) || v == 0 {
		return noiseTerm{fast: true}
	}
	// Division is correctly rounded, so a normal quotient is the xfloat's.
	if f := v / k; f >= 0x1p-500 && f < 0x1p500 {
		return noiseTerm{x: xf(f), f: f, fast: true}
	}
	x := noise(v, k)
	return noiseTerm{x: x, f: x.float()}
}

// inFastRange reports whether λ lies within [2^-500, 2^500), where with a
// fast noise term every intermediate of 2/(λ + a/λ) is a normal float64.
func inFastRange(lambda float64) bool { return lambda >= 0x1p-500 && lambda < 0x1p500 }
