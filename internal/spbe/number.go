package spbe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// Number is an exact decimal read from a framework file. It accepts a JSON
// number (13.00) or a JSON string ("3.00") and keeps both the exact value and
// the text as written, so a file round-trips and 2.465 never becomes
// 2.4649999… the way a float64 would.
type Number struct {
	r    *big.Rat
	text string
}

// NewNumber parses a decimal such as "1.30".
func NewNumber(s string) (Number, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || strings.ContainsAny(s, "/eE") {
		return Number{}, fmt.Errorf("%q is not a decimal number", s)
	}
	return Number{r: r, text: strings.TrimSpace(s)}, nil
}

// MustNumber is NewNumber for constants in code and tests.
func MustNumber(s string) Number {
	n, err := NewNumber(s)
	if err != nil {
		panic(err)
	}
	return n
}

// Rat returns a copy of the exact value (zero when unset).
func (n Number) Rat() *big.Rat {
	if n.r == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(n.r)
}

// IsSet reports whether a value was read.
func (n Number) IsSet() bool { return n.r != nil }

func (n Number) String() string {
	if n.text != "" {
		return n.text
	}
	return ExactString(n.Rat())
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = Number{}
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := NewNumber(s)
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// MarshalJSON writes the number as it was read.
func (n Number) MarshalJSON() ([]byte, error) {
	if n.r == nil {
		return []byte("null"), nil
	}
	return []byte(n.String()), nil
}

var ten = big.NewInt(10)

// RoundHalfUp rounds r to dec decimals, halves away from zero ("half-up" for
// the non-negative values an index takes). This is the rule that reproduces
// every published 2023/2024 SPBE index; half-even and binary floats do not
// (2.465 must give 2.47).
func RoundHalfUp(r *big.Rat, dec int) *big.Rat {
	scale := new(big.Int).Exp(ten, big.NewInt(int64(dec)), nil)
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	num := new(big.Int).Abs(x.Num())
	q, m := new(big.Int).QuoRem(num, x.Denom(), new(big.Int))
	if m.Lsh(m, 1).Cmp(x.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return new(big.Rat).SetFrac(q, scale)
}

// FormatHalfUp rounds half-up and prints exactly dec decimals ("3.50").
func FormatHalfUp(r *big.Rat, dec int) string {
	return RoundHalfUp(r, dec).FloatString(dec)
}

// ExactString prints r as a terminating decimal without trailing zeros
// ("3.4985") or, when it does not terminate (domain 3 is a multiple of 1/11),
// as a fraction ("23/11").
func ExactString(r *big.Rat) string {
	d := new(big.Int).Set(r.Denom())
	digits := 0
	two, five := big.NewInt(2), big.NewInt(5)
	m := new(big.Int)
	for _, p := range []*big.Int{two, five} {
		n := 0
		for {
			q, rem := new(big.Int).QuoRem(d, p, m)
			if rem.Sign() != 0 {
				break
			}
			d = q
			n++
		}
		digits = max(digits, n)
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return r.RatString()
	}
	s := r.FloatString(digits)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// ParseDecimal parses a decimal literal into an exact rational.
func ParseDecimal(s string) (*big.Rat, error) {
	n, err := NewNumber(s)
	if err != nil {
		return nil, err
	}
	return n.r, nil
}

func ratInt(i int64) *big.Rat { return new(big.Rat).SetInt64(i) }

func absRat(r *big.Rat) *big.Rat { return new(big.Rat).Abs(r) }

func subRat(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }
