// Package dialogs holds the dialog trees (*.yaml), their test cases
// (*.test.yaml) and the law registry (laws.yaml), embedded in the binary.
package dialogs

import "embed"

// FS holds every YAML file of this folder.
//
//go:embed *.yaml
var FS embed.FS
