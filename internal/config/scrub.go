package config

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// A config can be any file: a .natsaudit.yaml planted as a link to
// /etc/shadow once came back as `unknown key "root:$6$…"`. The file is no
// longer read when it links out of the tree (safefile), and messages about
// it quote only what a config names — keys, rule IDs, parameter names, and
// their typos — never a value. Anything that does not look like a name is
// "(not shown)": the message still gives the line.

const notShown = "(not shown)"

var (
	plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,47}$`)
	alnumRun  = regexp.MustCompile(`[A-Za-z0-9]+`)
	quoted    = regexp.MustCompile("'[^']*'|`[^`]*`|\"(?:[^\"\\\\]|\\\\.)*\"")
)

// isName reports whether s reads like a name a config uses rather than a
// value: a short identifier without a long run of letters and digits (a
// token, a hash) nor a shorter one mixing both (an access key ID).
func isName(s string) bool {
	if !plainName.MatchString(s) {
		return false
	}
	for _, run := range alnumRun.FindAllString(s, -1) {
		if len(run) >= 24 || (len(run) >= 12 && strings.IndexFunc(run, unicode.IsDigit) >= 0 && strings.IndexFunc(run, unicode.IsLetter) >= 0) {
			return false
		}
	}
	return true
}

// show quotes s when it is a name, else says it is not shown.
func show(s string) string {
	if isName(s) {
		return fmt.Sprintf("%q", s)
	}
	return notShown
}

// showBare is show without the quotes (rule IDs, parameter paths).
func showBare(s string) string {
	if isName(s) {
		return s
	}
	return notShown
}

// hideQuoted removes what a library message quotes from the file: yaml.v3
// (`unknown anchor 'x' referenced`, "cannot decode !!str `x`") and the
// exception checks (`expires "x": not a date`) quote values.
func hideQuoted(msg string) string {
	msg = quoted.ReplaceAllString(msg, notShown)
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}
