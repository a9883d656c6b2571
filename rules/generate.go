package rules

// docs/rules.md is generated from the METADATA of the rules in this
// directory; TestDocsUpToDate (internal/catalogdoc) fails when it is stale.
//go:generate go run ../tools/rulesdoc -o ../docs/rules.md
