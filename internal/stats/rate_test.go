package stats

import (
	"encoding/json"
	"testing"
)

func TestNewRate(t *testing.T) {
	tests := []struct {
		name       string
		s, n, minN int
		wantValue  *float64
		wantReason string
	}{
		{name: "enough data", s: 81, n: 263, minN: 10, wantValue: ptr(81.0 / 263)},
		{name: "all answered, enough data", s: 12, n: 12, minN: 0, wantValue: ptr(1.0)},
		{name: "default min n is 10: 9 of 9 is not 100 %", s: 9, n: 9, minN: 0, wantReason: ReasonInsufficientData},
		{name: "0 of 3 is not 0 %", s: 0, n: 3, minN: 10, wantReason: ReasonInsufficientData},
		{name: "no data", s: 0, n: 0, minN: 10, wantReason: ReasonInsufficientData},
		{name: "configured min n", s: 4, n: 5, minN: 5, wantValue: ptr(0.8)},
		{name: "exactly min n", s: 5, n: 10, minN: 10, wantValue: ptr(0.5)},
		{name: "more successes than n", s: 11, n: 10, minN: 10, wantReason: "invalid counts: 11 successes of 10"},
		{name: "negative n", s: 0, n: -1, minN: 10, wantReason: "invalid counts: 0 successes of -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRate(tt.s, tt.n, tt.minN)
			if (r.Value == nil) != (tt.wantValue == nil) || (r.Value != nil && *r.Value != *tt.wantValue) {
				t.Errorf("value = %v, want %v", deref(r.Value), deref(tt.wantValue))
			}
			if r.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", r.Reason, tt.wantReason)
			}
			if r.Low > r.High || r.Low < 0 || r.High > 1 {
				t.Errorf("interval %v–%v out of order or range", r.Low, r.High)
			}
		})
	}
}

func TestRateJSON(t *testing.T) {
	tests := []struct {
		name string
		r    Rate
		want string
	}{
		{name: "known", r: NewRate(5, 10, 10), want: `{"value":0.5,"n":10,"low":0.2365930905812137,"high":0.7634069094187863}`},
		{name: "insufficient", r: NewRate(0, 0, 10), want: `{"value":null,"n":0,"low":0,"high":1,"reason":"insufficient data"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			// Decode both so float formatting of the last digit cannot fail the test.
			var g, w map[string]any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &w); err != nil {
				t.Fatal(err)
			}
			for k, wv := range w {
				gv, ok := g[k]
				if !ok {
					t.Errorf("missing key %q in %s", k, got)
					continue
				}
				if wf, ok := wv.(float64); ok {
					if gf, ok := gv.(float64); !ok || round4(gf) != round4(wf) {
						t.Errorf("%s = %v, want %v", k, gv, wv)
					}
				} else if gv != wv {
					t.Errorf("%s = %v, want %v", k, gv, wv)
				}
			}
			if len(g) != len(w) {
				t.Errorf("got keys %v, want %v", g, w)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
