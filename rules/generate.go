package rules

// docs/rules.md is generated from the METADATA of the rules in this
// directory; TestDocsUpToDate (internal/catalogdoc) fails when it is stale.
//go:generate go run ../tools/rulesdoc -o ../docs/rules.md

// catalog.bin is the compiled catalog the engine starts from; a stale one is
// ignored (the sources are compiled instead) and TestPrecompiledUpToDate
// (internal/engine) fails.
//go:generate go run ../tools/rulescompile -o catalog.bin
