package audit

// SecretFiles exposes secretFiles to the external tests: which files the
// inventory's facts alone say hold a secret.
var SecretFiles = secretFiles
