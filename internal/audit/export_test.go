package audit

// SecretFiles exposes secretFiles to the external tests: which files the
// inventory's facts alone say hold a secret.
var SecretFiles = secretFiles

// ServerFacts exposes serverFacts: the per-server facts computed in Go.
var ServerFacts = serverFacts
