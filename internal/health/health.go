// Package health answers liveness and readiness: is the database reachable
// and is its schema the one this binary expects.
package health

import (
	"context"
	"fmt"
)

// Pinger is the part of the store readiness needs.
type Pinger interface {
	Ping(ctx context.Context) error
	SchemaVersions(ctx context.Context) (current, latest int64, err error)
}

// Check is one readiness check's result.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Report is the readiness answer.
type Report struct {
	Ready  bool    `json:"ready"`
	Checks []Check `json:"checks"`
	// Warnings do not make the service unready (e.g. a calendar year missing soon).
	Warnings []string `json:"warnings,omitempty"`
}

// WarningSource adds non-fatal warnings (later: calendar coverage).
type WarningSource func(ctx context.Context) []string

// Checker runs readiness checks.
type Checker struct {
	db       Pinger
	warnings []WarningSource
}

// NewChecker builds a checker.
func NewChecker(db Pinger, warnings ...WarningSource) *Checker {
	return &Checker{db: db, warnings: warnings}
}

// Ready checks the database and the schema version.
func (c *Checker) Ready(ctx context.Context) Report {
	rep := Report{Ready: true}
	if err := c.db.Ping(ctx); err != nil {
		rep.Ready = false
		rep.Checks = append(rep.Checks, Check{Name: "database", Detail: "database unreachable: " + err.Error()})
		return rep
	}
	rep.Checks = append(rep.Checks, Check{Name: "database", OK: true})
	cur, latest, err := c.db.SchemaVersions(ctx)
	switch {
	case err != nil:
		rep.Ready = false
		rep.Checks = append(rep.Checks, Check{Name: "migrations", Detail: "cannot read schema version: " + err.Error()})
	case cur < latest:
		rep.Ready = false
		rep.Checks = append(rep.Checks, Check{Name: "migrations", Detail: fmt.Sprintf("schema version %d is older than %d: run `tanggap migrate up`", cur, latest)})
	case cur > latest:
		rep.Ready = false
		rep.Checks = append(rep.Checks, Check{Name: "migrations", Detail: fmt.Sprintf("schema version %d is newer than this binary (%d): upgrade tanggap", cur, latest)})
	default:
		rep.Checks = append(rep.Checks, Check{Name: "migrations", OK: true, Detail: fmt.Sprintf("version %d", cur)})
	}
	for _, w := range c.warnings {
		rep.Warnings = append(rep.Warnings, w(ctx)...)
	}
	return rep
}
