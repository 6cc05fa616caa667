package problems

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestAliasFrequencies(t *testing.T) {
	for _, w := range [][]float64{
		{1},
		{0.5, 0.25, 0.125, 0.1, 0.025},
		{0.01, 0.01, 0.01, 0.97},
		{0.2, 0.2, 0.2, 0.2, 0.2},
		{3, 1, 1e-3, 2}, // not normalized: the table normalizes
		{1e300, 1e300},  // normalized before scaling by n, so no overflow
	} {
		a, err := NewAlias(w)
		if err != nil {
			t.Fatalf("NewAlias(%v): %v", w, err)
		}
		sum := 0.0
		for _, v := range w {
			sum += v / w[0]
		}
		// The exact probability of index i implied by the table must equal
		// w_i/Σw up to rounding (a few ulps of 1 per construction step).
		implied := make([]float64, len(w))
		for i := range w {
			implied[i] += a.prob[i] / float64(len(w))
			implied[a.alias[i]] += (1 - a.prob[i]) / float64(len(w))
		}
		for i := range w {
			if want := w[i] / w[0] / sum; math.Abs(implied[i]-want) > 1e-14 {
				t.Errorf("w = %v: implied P(%d) = %v, want %v", w, i, implied[i], want)
			}
		}
		// Empirical frequencies: Pearson's χ² with len(w)−1 ≤ 4 degrees of
		// freedom; 40 is beyond the 1e−6 upper quantile for df ≤ 4, so a
		// correct sampler fails with negligible probability (the seed is
		// fixed anyway) while a wrong one (P off by 2% at 1e5 draws) fails.
		const draws = 100000
		rnd := rand.New(rand.NewPCG(1, 1))
		counts := make([]float64, len(w))
		for range draws {
			counts[a.Sample(rnd)]++
		}
		chi2 := 0.0
		for i, c := range counts {
			e := draws * w[i] / w[0] / sum
			chi2 += (c - e) * (c - e) / e
		}
		if chi2 > 40 {
			t.Errorf("w = %v: χ² = %.4g over %d draws, counts %v", w, chi2, draws, counts)
		}
	}
}

func TestAliasErrors(t *testing.T) {
	for _, tc := range []struct {
		w    []float64
		want string
	}{
		{nil, "empty"},
		{[]float64{1, 0}, "w[1]"},
		{[]float64{-1, 1}, "w[0]"},
		{[]float64{1, math.NaN()}, "w[1]"},
		{[]float64{math.Inf(1)}, "w[0]"},
		{[]float64{math.MaxFloat64, math.MaxFloat64}, "+Inf"},
	} {
		_, err := NewAlias(tc.w)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewAlias(%v): error %v, want one naming %q", tc.w, err, tc.want)
		}
	}
}

func TestAliasSampleNoAlloc(t *testing.T) {
	a, err := NewAlias([]float64{0.3, 0.7})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	if n := testing.AllocsPerRun(100, func() { a.Sample(rnd) }); n != 0 {
		t.Errorf("Sample allocates %v times per call", n)
	}
}

func TestSplitMix64(t *testing.T) {
	// The first output of the reference SplitMix64 generator seeded with 0
	// (Steele, Lea, Flood 2014; Vigna's splitmix64.c).
	if got, want := SplitMix64(0), uint64(0xe220a8397b1dcdaf); got != want {
		t.Errorf("SplitMix64(0) = %#x, want %#x", got, want)
	}
	a, b := Stream(3, 5), rand.New(rand.NewPCG(3, SplitMix64(5)))
	for range 4 {
		if x, y := a.Uint64(), b.Uint64(); x != y {
			t.Fatalf("Stream(3, 5) gives %#x, PCG(3, SplitMix64(5)) %#x", x, y)
		}
	}
}

func TestMultinomialCounts(t *testing.T) {
	w := []float64{0.5, 0.25, 0.125, 0.125}
	m, err := NewMultinomial(w)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	const k, draws = 1000, 4000
	counts := make([]float64, len(w))
	mean := make([]float64, len(w))
	for range draws {
		m.Counts(counts, k, rnd)
		sum := 0.0
		for i, c := range counts {
			if c < 0 || c != math.Trunc(c) {
				t.Fatalf("count %d = %v is not a nonnegative integer", i, c)
			}
			sum += c
			mean[i] += c / draws
		}
		if sum != k {
			t.Fatalf("counts %v sum to %v, want %d", counts, sum, k)
		}
	}
	// Each count is Binomial(k, w_i): the mean of draws of them has standard
	// error √(k w_i(1−w_i)/draws); five of them bound a false alarm.
	for i, wi := range w {
		se := math.Sqrt(k * wi * (1 - wi) / draws)
		if math.Abs(mean[i]-k*wi) > 5*se {
			t.Errorf("mean count %d = %.4g, want %.4g ± %.2g", i, mean[i], k*wi, 5*se)
		}
	}
	for _, bad := range [][]float64{nil, {1, 0}, {1, math.NaN()}, {math.MaxFloat64, math.MaxFloat64}} {
		if _, err := NewMultinomial(bad); err == nil {
			t.Errorf("NewMultinomial(%v) accepted", bad)
		}
	}
}
