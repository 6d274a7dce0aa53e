//go:build tools

// Keeps the compose command in this module's graph, so `go mod tidy` keeps what it needs.
package tools

import _ "github.com/docker/compose/v5/cmd"
