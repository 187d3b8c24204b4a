// Package classifydata holds the labelled messages that the complaint
// classifier (internal/classify) learns from and is evaluated on. They are
// data, not code: adding lines to train*.yaml improves the model at the next
// start without touching Go.
//
// Both files map a category id to a list of messages:
//
//	personal_info:
//	  - 点个餐非要我关注公众号
//	quality_defect:
//	  - the kettle stopped heating after a week
//
// train*.yaml is what the model learns from. eval*.yaml are held-out sets
// written independently of it; a test in internal/classify fails if any
// evaluation message also appears among the training messages.
package classifydata

import "embed"

// FS holds train*.yaml (training examples) and eval*.yaml (held-out
// evaluation set).
//
//go:embed train*.yaml eval*.yaml
var FS embed.FS
