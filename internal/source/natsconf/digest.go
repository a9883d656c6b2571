package natsconf

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
)

// configDigest computes the digest nats-server reports as
// varz.config_digest for a config file: conf.ParseFileWithChecksDigest
// hashes the parsed (pedantic) map as JSON, sha256:<hex>, so comments,
// layout and quoting do not count, values and variable definitions do.
//
// m is the conf parser's map of the file with natsaudit's injected
// variable definitions in front (nPrefix lines): those are left out, and
// the rest is the map nats-server builds, as long as every $VAR resolved
// inside the file. It is not computed (the note says why) when a value
// came from an environment variable (the server's environment is not in
// the repository), when the file includes others (nats-server hashes them
// as it read them on its host), or when the file is not valid UTF-8 (we
// parsed a repaired copy).
func configDigest(m map[string]any, nPrefix int, includes, repaired bool) (digest, note string) {
	switch {
	case includes:
		return "", "the config includes other files"
	case repaired:
		return "", "the config is not valid UTF-8"
	}
	own := make(map[string]any, len(m))
	for k, v := range m {
		if tk, ok := v.(confToken); ok && tk.Line() <= nPrefix {
			continue // an injected variable definition
		}
		own[k] = v
	}
	b, err := json.Marshal(own)
	if err != nil {
		return "", "the parsed config could not be encoded"
	}
	if s := string(b); strings.Contains(s, varSentinel) || strings.Contains(s, incVarSentinel) || strings.Contains(s, bcryptSentinel) {
		return "", "a value comes from an environment variable"
	}
	// json.Encoder (what nats-server uses) ends the document with a newline.
	sum := sha256.Sum256(append(b, '\n'))
	return fmt.Sprintf("sha256:%x", sum), ""
}
