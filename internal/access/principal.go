// Package access decides who may do what: API tokens (stored hashed, shown
// once), the principal they authenticate as, and the agency-scope rule that
// an agency token writes only inside its own subtree.
package access

import (
	"context"
	"fmt"
)

// Role is what a token may do.
type Role string

const (
	RoleAdmin  Role = "admin"
	RoleAgency Role = "agency" // writes within one agency's subtree
	RoleReader Role = "reader" // reads non-public API data
)

// Roles lists valid roles.
var Roles = []Role{RoleAdmin, RoleAgency, RoleReader}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAgency || r == RoleReader }

// Principal is who a request acts as. The zero value is anonymous.
type Principal struct {
	TokenID    int64
	Name       string
	Role       Role
	AgencyCode string
}

// Anonymous reports whether no token was presented.
func (p Principal) Anonymous() bool { return p.Role == "" }

// Actor names the principal in audit rows and logs.
func (p Principal) Actor() string {
	switch {
	case p.Anonymous():
		return "anonymous"
	case p.TokenID == 0:
		return p.Name // e.g. "cli"
	case p.AgencyCode != "":
		return fmt.Sprintf("token:%d:%s(%s@%s)", p.TokenID, p.Name, p.Role, p.AgencyCode)
	default:
		return fmt.Sprintf("token:%d:%s(%s)", p.TokenID, p.Name, p.Role)
	}
}

// CLI is the principal of commands run on the server itself, which has the
// database credentials and so every right.
func CLI() Principal { return Principal{Name: "cli", Role: RoleAdmin} }

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFrom returns the principal in ctx (anonymous when none).
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(ctxKey{}).(Principal)
	return p
}
