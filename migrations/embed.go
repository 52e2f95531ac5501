// Package migrations embeds the versioned SQL schema, one folder per dialect.
// Both folders carry the same versions with the same tables and columns; a
// test checks that parity on real databases.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
