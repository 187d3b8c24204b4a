// Package locales holds the message files, <group>.<lang>.yaml, for zh and
// en, embedded in the binary.
package locales

import "embed"

// FS holds every message file of this folder.
//
//go:embed *.yaml
var FS embed.FS
