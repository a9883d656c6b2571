// Package rules embeds the built-in Rego rule catalog and its data.
//
// Rules live in one file per family (tls.rego, auth.rego, ...), each with a
// *_test.rego. Every rule is a `deny contains f if { ... }` definition in a
// package under natsaudit.rules, preceded by METADATA annotations; see
// docs/writing-rules.md.
package rules

import "embed"

// FS holds the rule modules (*.rego), the helper library (lib/) and the data
// (data/*.json).
//
//go:embed *.rego lib/*.rego data/*.json
var FS embed.FS

// Compliance holds natsaudit's mappings of rules to the controls of
// compliance frameworks (data/compliance/<framework>.yaml); package
// compliance reads them. Kept apart from FS: the engine loads every
// data/*.json file of FS as Rego data, and the mappings are no rule input.
//
//go:embed data/compliance/*.yaml
var Compliance embed.FS

// Precompiled is the catalog compiled at `go generate` time
// (tools/rulescompile): the compiled modules and the rules' metadata, which
// the engine loads instead of parsing and compiling FS when it was built
// from these very sources (internal/engine/precompiled.go).
//
//go:embed catalog.bin
var Precompiled []byte
