package sgdk_test

import (
	"math"
	"strings"
	"testing"

	"github.com/flatminima/flatminima/sgdk"
)

func TestSchedules(t *testing.T) {
	if got := sgdk.Constant(0.25).Step(17); got != 0.25 {
		t.Errorf("Constant(0.25).Step(17) = %v", got)
	}
	d := sgdk.Decay{C0: 2, Tau: 10, A: 0.5}
	for _, n := range []int{1, 10, 90, 1000} {
		want := 2 / math.Sqrt(1+float64(n)/10)
		if got := d.Step(n); math.Abs(got-want) > 1e-15*want {
			t.Errorf("Decay.Step(%d) = %v, want %v", n, got, want)
		}
	}
	// C_n = C0/(1+n/τ)^a: at n = τ the step is C0/2^a.
	if got := (sgdk.Decay{C0: 3, Tau: 4, A: 1}).Step(4); got != 1.5 {
		t.Errorf("Decay{3,4,1}.Step(4) = %v, want 1.5", got)
	}
	f := sgdk.StepFunc(func(n int) float64 { return 1 / float64(n) })
	if got := f.Step(4); got != 0.25 {
		t.Errorf("StepFunc.Step(4) = %v", got)
	}
}

func TestScheduleValidate(t *testing.T) {
	for _, tc := range []struct {
		d    sgdk.Decay
		name string
	}{
		{sgdk.Decay{C0: -1, Tau: 1, A: 1}, "C0"},
		{sgdk.Decay{C0: math.NaN(), Tau: 1, A: 1}, "C0"},
		{sgdk.Decay{C0: 1, Tau: 0, A: 1}, "Tau"},
		{sgdk.Decay{C0: 1, Tau: math.Inf(1), A: 1}, "Tau"},
		{sgdk.Decay{C0: 1, Tau: 1, A: -0.5}, "A"},
		{sgdk.Decay{C0: 1, Tau: 1, A: math.NaN()}, "A"},
	} {
		err := tc.d.Validate()
		if err == nil || !strings.Contains(err.Error(), "Decay."+tc.name) {
			t.Errorf("%+v: error %v, want one naming Decay.%s", tc.d, err, tc.name)
		}
	}
	if err := (sgdk.Decay{C0: 1, Tau: 5, A: 0.6}).Validate(); err != nil {
		t.Errorf("valid Decay: %v", err)
	}
	for _, c := range []float64{-0.1, math.NaN(), math.Inf(1)} {
		if err := sgdk.Constant(c).Validate(); err == nil {
			t.Errorf("Constant(%v).Validate() = nil", c)
		}
	}
}
