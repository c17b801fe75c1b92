// Package migrations holds the numbered SQL migrations, embedded in the binary. A file is
// named NNNN_name.sql and is applied once, in order, in its own transaction.
package migrations

import "embed"

// FS contains every migration file.
//
//go:embed *.sql
var FS embed.FS
