package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Age is a long duration written in days or years ("730d", "2y"; a year is
// 365 days) or as a Go duration ("36h").
type Age time.Duration

// UnmarshalText reads an Age; it must be positive.
func (a *Age) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	var d time.Duration
	switch {
	case strings.HasSuffix(s, "d") || strings.HasSuffix(s, "y"):
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil {
			return fmt.Errorf("%q is not a number of days (730d) or years (2y)", s)
		}
		d = time.Duration(n) * 24 * time.Hour
		if strings.HasSuffix(s, "y") {
			d *= 365
		}
	default:
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return fmt.Errorf("%q is not an age such as 730d, 2y or 36h", s)
		}
	}
	if d <= 0 {
		return fmt.Errorf("%q must be positive", s)
	}
	*a = Age(d)
	return nil
}

// Duration is the age as a time.Duration.
func (a Age) Duration() time.Duration { return time.Duration(a) }

// String prints whole days as "730d", anything else as a Go duration.
func (a Age) String() string {
	d := time.Duration(a)
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
